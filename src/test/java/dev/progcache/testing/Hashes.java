package dev.progcache.testing;

import dev.progcache.cache.Key;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of test bodies and made-up action ids, in the forms tests need. */
public final class Hashes {
  private Hashes() {}

  /** Lower-case hex of {@code b}. */
  public static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  /** The SHA-256 of {@code b}. */
  public static byte[] digest(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JDK has SHA-256", e);
    }
  }

  /** The SHA-256 of {@code b} in lower-case hex, as the protocol's paths carry it. */
  public static String sha(byte[] b) {
    return hex(digest(b));
  }

  /** The SHA-256 of {@code b} as a {@link Key}. */
  public static Key key(byte[] b) {
    return Key.of(digest(b));
  }

  /** The SHA-256 of {@code s} (UTF-8) as a {@link Key}, a made-up action or output id. */
  public static Key key(String s) {
    return key(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A made-up action id, the hex of SHA-256 of {@code "action " + i}. */
  public static String action(int i) {
    return sha(("action " + i).getBytes(StandardCharsets.UTF_8));
  }
}
