package dev.progcache.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The training run behind the launcher's AOT cache: one helper session over a scripted mix of
 * puts, hits, misses and a close, in a temporary directory, so that the classes and methods of
 * the GOCACHEPROG path are loaded, linked and profiled at build time. Not for users.
 */
final class Train {
  private Train() {}

  static int run(List<String> args) throws ConfigException {
    Path dir;
    try {
      dir = Files.createTempDirectory("progcache-train");
    } catch (IOException e) {
      throw new ConfigException("training: cannot create a temp dir: " + e.getMessage());
    }
    try {
      // Mark the directory as just trimmed: the daily trim's classes then stay out of the AOT
      // cache, which loads every class it holds at startup, before the handshake.
      markTrimmed(dir);
      int rounds = args.isEmpty() ? 3 : Integer.parseInt(args.get(0));
      for (int i = 0; i < rounds; i++) {
        byte[] script = script(new Random(i), 400);
        HelperConfig cfg = HelperConfig.of(Map.of("dir", dir.toString(), "verbose", "true"));
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        int rc =
            Helper.run(cfg, new ByteArrayInputStream(script), OutputStream.nullOutputStream(), quiet, Map.of());
        if (rc != 0) {
          System.err.println("progcache: training session failed with status " + rc);
          return rc;
        }
      }
      return 0;
    } finally {
      deleteTree(dir);
    }
  }

  private static void markTrimmed(Path dir) throws ConfigException {
    try {
      Files.writeString(dir.resolve("trim.txt"), System.currentTimeMillis() / 1000 + "\n");
    } catch (IOException e) {
      throw new ConfigException("training: cannot write to " + dir + ": " + e.getMessage());
    }
  }

  /** Requests as go writes them: puts with bodies, gets that hit and miss, one unknown, close. */
  static byte[] script(Random rnd, int n) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    Base64.Encoder b64 = Base64.getEncoder();
    long id = 1;
    byte[][] actions = new byte[n][];
    for (int i = 0; i < n; i++) {
      actions[i] = new byte[32];
      rnd.nextBytes(actions[i]);
      int size = i % 10 == 0 ? 0 : rnd.nextInt(i % 50 == 1 ? 300_000 : 3_000);
      byte[] body = new byte[size];
      rnd.nextBytes(body);
      String out = b64.encodeToString(sha256(body));
      StringBuilder s = new StringBuilder();
      s.append("{\"ID\":").append(id++).append(",\"Command\":\"put\",\"ActionID\":\"")
          .append(b64.encodeToString(actions[i])).append("\",\"OutputID\":\"").append(out).append('"');
      if (size > 0) {
        s.append(",\"BodySize\":").append(size).append("}\n\"").append(b64.encodeToString(body)).append('"');
      } else {
        s.append('}');
      }
      s.append('\n');
      b.writeBytes(s.toString().getBytes(StandardCharsets.US_ASCII));
    }
    for (int i = 0; i < 2 * n; i++) {
      byte[] a = actions[rnd.nextInt(n)].clone();
      if (i % 3 == 0) {
        a[0] ^= 0x55; // a miss
      }
      b.writeBytes(
          ("{\"ID\":" + id++ + ",\"Command\":\"get\",\"ActionID\":\"" + b64.encodeToString(a) + "\"}\n")
              .getBytes(StandardCharsets.US_ASCII));
    }
    b.writeBytes(("{\"ID\":" + id++ + ",\"Command\":\"nope\"}\n").getBytes(StandardCharsets.US_ASCII));
    b.writeBytes(("{\"ID\":" + id + ",\"Command\":\"close\"}\n").getBytes(StandardCharsets.US_ASCII));
    return b.toByteArray();
  }

  static byte[] sha256(byte[] body) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(body);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp dir left behind is harmless
    }
  }
}
