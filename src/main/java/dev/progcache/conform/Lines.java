package dev.progcache.conform;

import dev.progcache.cache.Key;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Random;

/** Request lines as go writes them, and random test data. */
final class Lines {
  private Lines() {}

  /** Which id fields a put carries: old go sends ObjectID, new go OutputID, ProgClient both. */
  enum Ids {
    OBJECT_ONLY,
    OUTPUT_ONLY,
    BOTH
  }

  static String get(long id, Key action) {
    return "{\"ID\":" + id + ",\"Command\":\"get\",\"ActionID\":\"" + action.base64() + "\"}\n";
  }

  static String put(long id, Key action, byte[] body, Ids ids) {
    String out = sha256(body).base64();
    StringBuilder b = new StringBuilder(body.length * 4 / 3 + 200);
    b.append("{\"ID\":")
        .append(id)
        .append(",\"Command\":\"put\",\"ActionID\":\"")
        .append(action.base64())
        .append('"');
    if (ids != Ids.OUTPUT_ONLY) {
      b.append(",\"ObjectID\":\"").append(out).append('"');
    }
    if (ids != Ids.OBJECT_ONLY) {
      b.append(",\"OutputID\":\"").append(out).append('"');
    }
    if (body.length > 0) {
      b.append(",\"BodySize\":")
          .append(body.length)
          .append("}\n\"")
          .append(Base64.getEncoder().encodeToString(body))
          .append("\"\n");
    } else {
      b.append("}\n");
    }
    return b.toString();
  }

  static String close(long id) {
    return "{\"ID\":" + id + ",\"Command\":\"close\"}\n";
  }

  static Key key(Random rnd) {
    byte[] b = new byte[Key.LENGTH];
    rnd.nextBytes(b);
    return Key.of(b);
  }

  static byte[] bytes(Random rnd, int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  static Key sha256(byte[] b) {
    return Key.of(sha256Digest().digest(b));
  }

  static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
