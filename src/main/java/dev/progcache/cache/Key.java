package dev.progcache.cache;

import java.util.Arrays;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * A 32-byte identifier: an action ID (what go asks for) or an output ID (sha256 of a body).
 *
 * <p>Immutable and thread-safe. Equality is by content.
 */
public final class Key {
  /** Length of every key in bytes (sha256). */
  public static final int LENGTH = 32;

  private final byte[] bytes;
  private final int hash;

  private Key(byte[] bytes) {
    this.bytes = bytes;
    this.hash = Arrays.hashCode(bytes);
  }

  /**
   * Wraps a copy of {@code bytes}.
   *
   * @throws IllegalArgumentException when the length is not {@link #LENGTH}
   */
  public static Key of(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException(
          "expected a " + LENGTH + "-byte id, got " + bytes.length + " bytes");
    }
    return new Key(bytes.clone());
  }

  /**
   * Parses 64 lower- or upper-case hex digits.
   *
   * @throws IllegalArgumentException when {@code hex} is not exactly 64 hex digits
   */
  public static Key ofHex(CharSequence hex) {
    if (hex.length() != LENGTH * 2) {
      throw new IllegalArgumentException("expected 64 hex digits, got " + hex.length() + " chars");
    }
    // a character beyond Latin-1 becomes '?', and one beyond ASCII is no digit: both refused
    Key k = ofHexOrNull(hex.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0);
    if (k == null) {
      throw new IllegalArgumentException("not a hex id: " + hex);
    }
    return k;
  }

  /**
   * The id spelled by the 64 ASCII hex digits at {@code text[at]}, or null when any of them is not
   * a hex digit (for parsing id lists without a string per line).
   */
  public static @Nullable Key ofHexOrNull(byte[] text, int at) {
    java.util.Objects.checkFromIndexSize(at, LENGTH * 2, text.length);
    byte[] b = new byte[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      int hi = digit(text[at + 2 * i]);
      int lo = digit(text[at + 2 * i + 1]);
      if ((hi | lo) < 0) {
        return null;
      }
      b[i] = (byte) (hi << 4 | lo);
    }
    return new Key(b);
  }

  // Ids are parsed and printed thousands of times per fresh-directory session, most of them
  // before C1 has compiled anything: one table lookup per digit instead of HexFormat's calls.
  private static final byte[] DIGITS =
      "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] VALUES = new byte[128];

  static {
    Arrays.fill(VALUES, (byte) -1);
    for (int i = 0; i < 16; i++) {
      VALUES[DIGITS[i]] = (byte) i;
      VALUES[Character.toUpperCase(DIGITS[i])] = (byte) i;
    }
  }

  /** The value of hex digit {@code c}, or -1. */
  private static int digit(byte c) {
    return c >= 0 ? VALUES[c] : -1;
  }

  /** Returns a copy of the raw bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The first byte, 0-255: the directory a key's files fan out to. */
  public int shard() {
    return bytes[0] & 0xff;
  }

  /** Lower-case hex, 64 characters. */
  public String hex() {
    byte[] out = new byte[LENGTH * 2];
    for (int i = 0; i < LENGTH; i++) {
      out[2 * i] = DIGITS[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = DIGITS[bytes[i] & 0xf];
    }
    return new String(out, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /** Standard base64 with padding, as Go's encoding/json writes a {@code []byte}. */
  public String base64() {
    return Base64.getEncoder().encodeToString(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Key k && Arrays.equals(bytes, k.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return hex();
  }
}
