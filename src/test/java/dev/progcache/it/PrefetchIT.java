package dev.progcache.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.HelperProcess;
import dev.progcache.testing.LatencyProxy;
import dev.progcache.testing.Requests;
import dev.progcache.testing.ServeProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The helper answers go's handshake at once, however far the shared server is (a {@link
 * LatencyProxy} 4 s away), and wakes the shared tier at start only for an empty directory.
 * Prefetching during real builds is in {@link SharedStdIT}.
 */
class PrefetchIT {
  @TempDir Path tmp;

  @Test
  @Timeout(120)
  void handshake_comesFirst_anEmptyDirWakesTheTierAtStart_aDirWithEntriesOnAMiss()
      throws Exception {
    Path cache = tmp.resolve("cache");
    String miss = "{\"ID\":1,\"Command\":\"get\",\"ActionID\":\"" + "A".repeat(43) + "=\"}\n";
    try (ServeProcess server =
            ServeProcess.start("127.0.0.1:0", tmp.resolve("srv"), "--no-access-log");
        LatencyProxy slow = LatencyProxy.start(server.port(), Duration.ofSeconds(4), 16)) {
      long t0 = System.nanoTime();
      try (HelperProcess h =
          HelperProcess.start(
              Map.of(), "--dir", cache.toString(), "-v", "--remote", slow.url().toString())) {
        String handshake = h.readLine(30);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(handshake).contains("KnownCommands");
        assertThat(slow.responses()).as("no remote answer came before the handshake").isZero();
        // an empty directory: every get will miss, so the manifest request goes out at once
        awaitConnection(slow, 0);
        assertThat(slow.connections()).as("asked for the manifest before any get").isPositive();
        byte[] body = "built here".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        h.write(Requests.put(1, Requests.random(new java.util.Random(3), 32), body));
        assertThat(h.readLine(30)).contains("\"ID\":1").contains("DiskPath");
        h.write("{\"ID\":2,\"Command\":\"close\"}\n");
        assertThat(h.readLine(30)).contains("\"ID\":2");
        h.closeStdin();
        assertThat(h.waitFor(60)).isZero();
        System.out.printf("PrefetchIT: handshake after %d ms with the server 4 s away%n", ms);
      }
      long before = slow.connections();
      try (HelperProcess h =
          HelperProcess.start(
              Map.of(), "--dir", cache.toString(), "-v", "--remote", slow.url().toString())) {
        assertThat(h.readLine(30)).contains("KnownCommands");
        Thread.sleep(300);
        assertThat(slow.connections())
            .as("a directory with entries: asleep until a miss")
            .isEqualTo(before);
        h.write(miss.replace("\"ID\":1", "\"ID\":3"));
        awaitConnection(slow, before);
        assertThat(slow.connections()).as("the miss woke it").isGreaterThan(before);
        assertThat(h.readLine(30)).contains("\"ID\":3").contains("\"Miss\":true");
        h.write("{\"ID\":4,\"Command\":\"close\"}\n");
        assertThat(h.readLine(30)).contains("\"ID\":4");
        h.closeStdin();
        assertThat(h.waitFor(60)).isZero();
      }
    }
  }

  /** Waits up to 10 s until {@code proxy} has seen more than {@code seen} connections. */
  private static void awaitConnection(LatencyProxy proxy, long seen) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (proxy.connections() <= seen && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }
}
