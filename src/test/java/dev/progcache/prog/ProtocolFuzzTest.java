package dev.progcache.prog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Stats;
import dev.progcache.disk.DiskStore;
import dev.progcache.protocol.ResponseWriter;
import dev.progcache.testing.Answers;
import dev.progcache.testing.Figures;
import dev.progcache.testing.Requests;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 36: seeded random malformed and edge-case inputs. Every case must end (no hang) in
 * answers that are protocol lines, or in a MALFORMED stop with a message, and leave no temp file.
 */
@Timeout(300)
class ProtocolFuzzTest {
  @TempDir Path dir;

  @Test
  void s36_fuzzedRequestLines_neverHangNeverLeavePartialFiles() throws Exception {
    int cases = Integer.getInteger("progcache.fuzz.cases", 10_000);
    long seed = Long.getLong("progcache.fuzz.seed", 36L);
    Random rnd = new Random(seed);
    DiskStore store = DiskStore.open(dir, System::nanoTime, new Stats());
    int malformed = 0;
    long worstNanos = 0;
    try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < cases; i++) {
        byte[] input = mutate(rnd, Requests.session(rnd));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        Future<ProgServer.Outcome> f =
            ex.submit(
                () ->
                    new ProgServer(
                            new ByteArrayInputStream(input),
                            new ResponseWriter(out),
                            store,
                            new Stats(),
                            new PrintStream(err, true, StandardCharsets.UTF_8))
                        .serve());
        ProgServer.Outcome o;
        try {
          o = f.get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          throw new AssertionError("case " + i + " (seed " + seed + ") hung on:\n" + show(input));
        }
        worstNanos = Math.max(worstNanos, System.nanoTime() - t0);
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
          if (!line.isEmpty()) {
            Map<String, Object> a = Answers.parse(line);
            assertThat(a).as("case %d", i).containsKey("ID");
          }
        }
        if (o == ProgServer.Outcome.MALFORMED) {
          malformed++;
          assertThat(err.toString(StandardCharsets.UTF_8)).as("case %d", i).contains("malformed");
        }
      }
    }
    try (Stream<Path> s = Files.walk(dir)) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList()).isEmpty();
    }
    System.out.printf(
        "fuzz: %d cases (seed %d), %d stopped as malformed, 0 hangs, worst %.1f ms%n",
        cases, seed, malformed, worstNanos / 1e6);
    Figures.of("s36", cases, 0, worstNanos / 1e6)
        .with("seed", seed)
        .with("hangs", 0)
        .with("malformed_stops", malformed)
        .print();
    assertThat(malformed).isGreaterThan(0).isLessThan(cases);
  }

  private static final List<String> TOKENS =
      List.of(
          "{",
          "}",
          "[",
          "]",
          "\"",
          ":",
          ",",
          "null",
          "true",
          "-1",
          "1e400",
          "99999999999999999999",
          "\"ID\":",
          "\"BodySize\":",
          "\"Command\":\"put\"",
          "\"ActionID\":\"!!\"",
          "\\u0000",
          "\n",
          "\"=\"");

  private static byte[] mutate(Random r, String s) {
    StringBuilder b = new StringBuilder(s);
    int edits = 1 + r.nextInt(4);
    for (int e = 0; e < edits && !b.isEmpty(); e++) {
      int at = r.nextInt(b.length());
      switch (r.nextInt(6)) {
        case 0 -> b.setLength(at); // truncate
        case 1 -> b.deleteCharAt(at);
        case 2 -> b.insert(at, TOKENS.get(r.nextInt(TOKENS.size())));
        case 3 -> b.setCharAt(at, (char) (32 + r.nextInt(95)));
        case 4 -> b.insert(at, (char) r.nextInt(256));
        default -> {
          int j = b.indexOf("BodySize\":");
          if (j >= 0) {
            b.insert(j + 10, r.nextInt(3) == 0 ? "-" : Integer.toString(r.nextInt(10)));
          }
        }
      }
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String show(byte[] input) {
    String s = new String(input, StandardCharsets.UTF_8);
    return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
  }
}
