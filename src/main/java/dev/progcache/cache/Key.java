package dev.progcache.cache;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A 32-byte identifier: an action ID (what go asks for) or an output ID (sha256 of a body).
 *
 * <p>Immutable and thread-safe. Equality is by content.
 */
public final class Key {
  /** Length of every key in bytes (sha256). */
  public static final int LENGTH = 32;

  private static final HexFormat HEX = HexFormat.of();
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
    try {
      return new Key(HEX.parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a hex id: " + e.getMessage(), e);
    }
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
    return HEX.formatHex(bytes);
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
