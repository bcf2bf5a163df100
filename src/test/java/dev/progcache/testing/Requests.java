package dev.progcache.testing;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Random;

/** Builds request lines exactly as go writes them. */
public final class Requests {
  private Requests() {}

  public static String get(long id, byte[] action) {
    return "{\"ID\":" + id + ",\"Command\":\"get\",\"ActionID\":\"" + b64(action) + "\"}\n";
  }

  /** A put with OutputID (go 1.24+ style) and, when non-empty, the body line. */
  public static String put(long id, byte[] action, byte[] body) {
    return putWith(id, action, body, "OutputID");
  }

  /** A put naming the output with {@code field}: "OutputID", "ObjectID" or "both". */
  public static String putWith(long id, byte[] action, byte[] body, String field) {
    String out = b64(sha256(body));
    String ids =
        field.equals("both")
            ? ",\"OutputID\":\"" + out + "\",\"ObjectID\":\"" + out + "\""
            : ",\"" + field + "\":\"" + out + "\"";
    String head =
        "{\"ID\":" + id + ",\"Command\":\"put\",\"ActionID\":\"" + b64(action) + "\"" + ids;
    if (body.length == 0) {
      return head + "}\n";
    }
    return head + ",\"BodySize\":" + body.length + "}\n\"" + b64(body) + "\"\n";
  }

  public static String close(long id) {
    return "{\"ID\":" + id + ",\"Command\":\"close\"}\n";
  }

  /** A valid little session: 1-4 puts (bodies under 200 bytes) and gets, maybe a close. */
  public static String session(Random r) {
    StringBuilder b = new StringBuilder();
    int n = 1 + r.nextInt(4);
    for (int i = 1; i <= n; i++) {
      byte[] a = random(r, 32);
      b.append(r.nextBoolean() ? put(i, a, random(r, r.nextInt(200))) : get(i, a));
    }
    if (r.nextBoolean()) {
      b.append(close(n + 1));
    }
    return b.toString();
  }

  public static byte[] random(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  public static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  public static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
