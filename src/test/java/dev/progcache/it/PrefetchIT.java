package dev.progcache.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.GoRun;
import dev.progcache.testing.HelperProcess;
import dev.progcache.testing.LatencyProxy;
import dev.progcache.testing.Requests;
import dev.progcache.testing.ServeProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prefetching through a shared server 20 ms away (a {@link LatencyProxy}): a fresh runner gets
 * what an earlier build of the same context used onto its disk before go asks, and the helper
 * still answers go's handshake at once.
 */
class PrefetchIT {
  @TempDir Path tmp;

  @Test
  @Timeout(900)
  void goBuildStd_freshDirBehindLatency_everyGetServedLocallyOrInFlight() throws Exception {
    try (ServeProcess server = ServeProcess.start("127.0.0.1:0", tmp.resolve("srv"), "--no-access-log");
        LatencyProxy far = LatencyProxy.start(server.port(), Duration.ofMillis(20), 64)) {
      Path work = Files.createDirectories(tmp.resolve("work"));
      Path a = Files.createDirectories(tmp.resolve("a"));
      Path b = Files.createDirectories(tmp.resolve("b"));

      GoRun.Result cold = go(work, a, server.url(), Map.of(), "build", "std");
      assertOk(cold);
      assertThat(cold.stat("remote-uploads")).isEqualTo(cold.stat("puts")).isPositive();

      GoRun.Result fresh = go(work, b, far.url(), Map.of(), "build", "std");
      assertOk(fresh);
      String why = "stderr:\n" + fresh.stderr();
      assertThat(fresh.stat("misses")).as(why).isZero();
      assertThat(fresh.stat("prefetched")).as(why).isGreaterThanOrEqualTo(fresh.stat("prefetch-used"));
      assertThat(fresh.stat("prefetch-used")).as(why).isPositive();
      // the gets the prefetch did not serve went to the server one by one: next to none
      assertThat(fresh.stat("remote-hits")).as(why).isLessThanOrEqualTo(fresh.stat("gets") / 50);
      // (a second get of the same entry counts once as used)
      assertThat(fresh.stat("prefetch-used"))
          .as("nearly every get answered by a prefetched entry; " + why)
          .isGreaterThanOrEqualTo(fresh.stat("gets") * 9 / 10);
      assertThat(fresh.stat("prefetch-errors")).as(why).isZero();
      System.out.printf(
          "PrefetchIT: cold std %d ms; fresh dir, 20 ms away, prefetching: %d ms (%s)%n",
          cold.millis(), fresh.millis(), statsLine(fresh));

      // the cold build asked for less than a cached build does, so that fresh runner prefetched
      // everything listed; its report (it found what it asked for) settled the manifest: the next
      // fresh runner prefetches only what go asks for, and still finds everything
      assertThat(fresh.stat("prefetched") + fresh.stat("remote-hits"))
          .as(why)
          .isGreaterThanOrEqualTo(fresh.stat("prefetch-listed"));
      awaitManifestMerges(server.url(), 2); // the helpers upload their reports after go is done
      Path c = Files.createDirectories(tmp.resolve("c"));
      GoRun.Result settled = go(work, c, far.url(), Map.of(), "build", "std");
      assertOk(settled);
      String whyC = "stderr:\n" + settled.stderr();
      assertThat(settled.stat("misses")).as(whyC).isZero();
      assertThat(settled.stat("hits")).as(whyC).isEqualTo(settled.stat("gets"));
      assertThat(settled.stat("prefetched") + settled.stat("remote-hits"))
          .as("only what go asked for: " + whyC)
          .isLessThan(settled.stat("prefetch-listed") * 9 / 10);
      assertThat(settled.stat("remote-hits")).as(whyC).isLessThanOrEqualTo(settled.stat("gets") / 50);
      System.out.printf(
          "PrefetchIT: next fresh dir, settled manifest: %d ms (%s)%n", settled.millis(), statsLine(settled));

      // a warm local dir prefetches nothing and uploads no manifest when nothing is new
      GoRun.Result warm = go(work, b, far.url(), Map.of(), "build", "std");
      assertOk(warm);
      assertThat(warm.stat("prefetched")).as("stderr:\n%s", warm.stderr()).isZero();
      assertThat(warm.stat("hits")).isEqualTo(warm.stat("gets"));
    }
  }

  @Test
  @Timeout(120)
  void handshake_comesFirst_anEmptyDirWakesTheTierAtStart_aDirWithEntriesOnAMiss() throws Exception {
    Path cache = tmp.resolve("cache");
    String miss = "{\"ID\":1,\"Command\":\"get\",\"ActionID\":\"" + "A".repeat(43) + "=\"}\n";
    try (ServeProcess server = ServeProcess.start("127.0.0.1:0", tmp.resolve("srv"), "--no-access-log");
        LatencyProxy slow = LatencyProxy.start(server.port(), Duration.ofSeconds(4), 16)) {
      long t0 = System.nanoTime();
      try (HelperProcess h =
          HelperProcess.start(Map.of(), "--dir", cache.toString(), "-v", "--remote", slow.url().toString())) {
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
          HelperProcess.start(Map.of(), "--dir", cache.toString(), "-v", "--remote", slow.url().toString())) {
        assertThat(h.readLine(30)).contains("KnownCommands");
        Thread.sleep(300);
        assertThat(slow.connections()).as("a directory with entries: asleep until a miss").isEqualTo(before);
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

  /** Waits (30 s at most) until the server merged {@code n} manifest reports. */
  private static void awaitManifestMerges(URI server, int n) throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.util.regex.Pattern merged =
        java.util.regex.Pattern.compile("outcome=\"merged\",route=\"manifest\"} ([0-9.]+)");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    double seen = 0;
    while (System.nanoTime() < deadline) {
      String m =
          http.send(
                  java.net.http.HttpRequest.newBuilder(server.resolve("metrics")).build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString())
              .body();
      java.util.regex.Matcher x = merged.matcher(m);
      seen = x.find() ? Double.parseDouble(x.group(1)) : 0;
      if (seen >= n) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the server merged " + seen + " manifest reports, not " + n);
  }

  private static String statsLine(GoRun.Result r) {
    return r.stderr().lines().filter(l -> l.contains("progcache: gets=")).reduce((x, y) -> y).orElse("");
  }

  private static GoRun.Result go(
      Path work, Path home, URI remote, Map<String, String> extraEnv, String... args)
      throws IOException, InterruptedException {
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put("GO111MODULE", "off");
    env.put("PROGCACHE_REMOTE_DRAIN", "120s"); // every upload and the manifest land before the next build
    return GoRun.withRemote(work, home, remote, env, 600, args);
  }

  private static void assertOk(GoRun.Result r) {
    assertThat(r.exit()).as("go exit; stderr:\n%s", r.stderr()).isZero();
    assertThat(r.stat("errors")).as("stderr:\n%s", r.stderr()).isZero();
    assertThat(r.stat("remote-errors")).as("stderr:\n%s", r.stderr()).isZero();
  }
}
