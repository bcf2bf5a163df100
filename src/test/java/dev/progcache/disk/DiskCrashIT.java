package dev.progcache.disk;

import static dev.progcache.testing.Requests.b64;
import static dev.progcache.testing.Requests.get;
import static dev.progcache.testing.Requests.put;
import static dev.progcache.testing.Requests.random;
import static dev.progcache.testing.Requests.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Answers;
import dev.progcache.testing.Figures;
import dev.progcache.testing.HelperProcess;
import dev.progcache.testing.Threads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Disk scenarios with real helper processes: crashes (15) and concurrent writers (21). */
@Timeout(900)
class DiskCrashIT {
  @TempDir Path dir;
  private final Random rnd = new Random(15);

  @Test
  void s15_killDash9MidPut_repeated_neverGivesACorruptHit() throws Exception {
    int kills = Integer.getInteger("progcache.crash.kills", 25);
    List<byte[]> actions = new ArrayList<>();
    for (int k = 0; k < kills; k++) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        byte[] a = random(rnd, 32);
        actions.add(a);
        lines.add(put(i + 1, a, random(rnd, 1 + rnd.nextInt(400_000))));
      }
      HelperProcess h = HelperProcess.start(dir);
      assertThat(h.readLine(20)).contains("KnownCommands");
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                try {
                  for (String l : lines) {
                    h.write(l);
                  }
                } catch (Exception e) {
                  // killed under us: expected
                }
              },
              Threads.VIRTUAL);
      if (k % 4 != 0) {
        // most kills land after the first put is answered (a loaded machine can be slower than
        // any fixed delay), the others anywhere from the handshake on
        h.readLine(60);
      }
      Thread.sleep(rnd.nextInt(150));
      h.process().destroyForcibly(); // SIGKILL
      h.waitFor(20);
      writer.join();
      h.close();
    }
    int hits = 0;
    List<String> corrupt = new ArrayList<>();
    long worstNanos = 0;
    try (HelperProcess h = HelperProcess.start(dir)) {
      h.readLine(20);
      long id = 1;
      for (byte[] a : actions) {
        long t0 = System.nanoTime();
        h.write(get(id++, a));
        Map<String, Object> ans = Answers.parse(h.readLine(30));
        worstNanos = Math.max(worstNanos, System.nanoTime() - t0);
        assertThat(ans).doesNotContainKey("Err");
        if (!ans.containsKey("Miss")) {
          hits++;
          byte[] body = Files.readAllBytes(Path.of((String) ans.get("DiskPath")));
          long size = ((Number) ans.getOrDefault("Size", 0L)).longValue();
          if (!b64(sha256(body)).equals(ans.get("OutputID")) || body.length != size) {
            corrupt.add("hit " + ans.get("ID") + ": " + body.length + " bytes, Size " + size);
          }
        }
      }
    }
    Figures.of("s15", kills, corrupt.size(), worstNanos / 1e6)
        .with("puts_attempted", actions.size())
        .with("hits", hits)
        .with("corrupt_hits", corrupt.size())
        .print();
    assertThat(corrupt).as("hits for killed puts whose body does not match").isEmpty();
    assertThat(hits).as("some puts completed before the kills").isGreaterThan(0);
  }

  @Test
  void s21_twoProcessesPutTheSameKeysAtOnce() throws Exception {
    int n = 60;
    List<byte[]> actions = new ArrayList<>();
    StringBuilder script = new StringBuilder();
    for (int i = 0; i < n; i++) {
      byte[] a = random(rnd, 32);
      actions.add(a);
      script.append(put(i + 1, a, random(rnd, 50_000)));
    }
    try (HelperProcess h1 = HelperProcess.start(dir);
        HelperProcess h2 = HelperProcess.start(dir)) {
      h1.readLine(20);
      h2.readLine(20);
      CompletableFuture<Void> w1 =
          CompletableFuture.runAsync(() -> write(h1, script.toString()), Threads.VIRTUAL);
      CompletableFuture<Void> w2 =
          CompletableFuture.runAsync(() -> write(h2, script.toString()), Threads.VIRTUAL);
      w1.join();
      w2.join();
      for (HelperProcess h : List.of(h1, h2)) {
        for (int i = 0; i < n; i++) {
          assertThat(Answers.parse(h.readLine(30)))
              .containsKey("DiskPath")
              .doesNotContainKey("Err");
        }
      }
    }
    try (HelperProcess h = HelperProcess.start(dir)) {
      h.readLine(20);
      for (int i = 0; i < n; i++) {
        h.write(get(i + 1, actions.get(i)));
        Map<String, Object> ans = Answers.parse(h.readLine(30));
        assertThat(ans).doesNotContainKey("Miss");
        byte[] body = Files.readAllBytes(Path.of((String) ans.get("DiskPath")));
        assertThat(b64(sha256(body))).isEqualTo(ans.get("OutputID"));
      }
    }
    try (var s = Files.walk(dir)) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList()).isEmpty();
    }
  }

  private static void write(HelperProcess h, String s) {
    try {
      h.write(s);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
