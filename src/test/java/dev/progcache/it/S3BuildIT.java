package dev.progcache.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.GoRun;
import dev.progcache.testing.S3Proxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real go builds through the helper's S3 tier, against s3proxy on loopback. */
@Timeout(1200)
class S3BuildIT {
  @TempDir Path tmp;

  private static GoRun.Result go(
      Path work, Path home, String s3, Map<String, String> s3env, String... args)
      throws IOException, InterruptedException {
    Map<String, String> env = new HashMap<>(s3env);
    env.put("GO111MODULE", "off");
    return GoRun.go(
        work,
        home,
        List.of("--dir", home.resolve("cache").toString(), "-v", "--s3", s3),
        env,
        900,
        args);
  }

  private static void assertBuilt(GoRun.Result r) {
    assertThat(r.exit()).as("go exit; stderr:\n%s", r.stderr()).isZero();
    assertThat(r.stat("errors")).as("Errs to go; stderr:\n%s", r.stderr()).isZero();
  }

  @Test
  void goBuildStd_throughS3_freshLocalDir_gets100PercentHits() throws Exception {
    try (S3Proxy s3 = S3Proxy.start(tmp.resolve("s3"))) {
      s3.createBucket("std");
      Path work = Files.createDirectories(tmp.resolve("work"));
      Path a = Files.createDirectories(tmp.resolve("a"));
      Path b = Files.createDirectories(tmp.resolve("b"));

      // every upload must land before the fresh directory builds: no drain cut-off here
      // one GET per hit is counted below: prefetching (manifest LISTs and GETs) off
      Map<String, String> plain = new HashMap<>(s3.env());
      plain.put("PROGCACHE_PREFETCH", "false");
      Map<String, String> drained = new HashMap<>(plain);
      drained.put("PROGCACHE_REMOTE_DRAIN", "120s");
      GoRun.Result cold = go(work, a, "s3://std/ci", drained, "build", "std");
      assertBuilt(cold);
      assertThat(cold.stat("remote-errors")).isZero();
      assertThat(cold.stat("remote-uploads")).isEqualTo(cold.stat("puts")).isPositive();

      GoRun.Result fresh = go(work, b, "s3://std/ci", plain, "build", "std");
      assertBuilt(fresh);
      assertThat(fresh.stat("misses")).as("misses; stderr:\n%s", fresh.stderr()).isZero();
      assertThat(fresh.stat("remote-hits")).isEqualTo(fresh.stat("gets")).isPositive();
      assertThat(fresh.stat("s3-get-requests"))
          .as("one GET per hit")
          .isEqualTo(fresh.stat("remote-hits"));

      GoRun.Result warm = go(work, b, "s3://std/ci", plain, "build", "std");
      assertBuilt(warm);
      assertThat(warm.stat("hits")).isEqualTo(warm.stat("gets"));
      assertThat(warm.stat("s3-get-requests")).isZero();
      System.out.printf(
          Locale.ROOT,
          "S3BuildIT: std cold+upload %d ms (%d puts, %d bytes up); fresh dir + warm bucket %d ms"
              + " (%d hits, %d GETs, %d bytes down); warm local %d ms; fresh/warm = %.2f%n",
          cold.millis(),
          cold.stat("remote-uploads"),
          cold.stat("remote-bytes-up"),
          fresh.millis(),
          fresh.stat("remote-hits"),
          fresh.stat("s3-get-requests"),
          fresh.stat("remote-bytes-down"),
          warm.millis(),
          (double) fresh.millis() / warm.millis());
    }
  }

  @Test
  void wrongCredentials_accessDenied_reportedOnce_buildSucceeds() throws Exception {
    try (S3Proxy s3 = S3Proxy.start(tmp.resolve("s3"))) {
      s3.createBucket("denied");
      Path work = GoRun.tinyModule(tmp.resolve("work"));
      Map<String, String> env = new HashMap<>(s3.env(S3Proxy.ACCESS_KEY, "not-the-secret"));
      env.remove("GO111MODULE");
      GoRun.Result r =
          GoRun.go(
              work,
              tmp.resolve("h"),
              List.of("--dir", tmp.resolve("c").toString(), "-v", "--s3", "s3://denied"),
              env,
              300,
              "build",
              "-o",
              tmp.resolve("tiny").toString(),
              ".");
      assertBuilt(r);
      assertThat(r.stderr().lines().filter(l -> l.contains("refused reads")).count())
          .as(r.stderr())
          .isEqualTo(1);
      assertThat(r.stderr()).contains("AWS credentials").doesNotContain("not-the-secret");
      assertThat(s3.objects("denied")).isEmpty();
    }
  }

  @Test
  void missingBucket_clearMessage_buildSucceeds() throws Exception {
    try (S3Proxy s3 = S3Proxy.start(tmp.resolve("s3"))) {
      Path work = GoRun.tinyModule(tmp.resolve("work"));
      GoRun.Result r =
          GoRun.go(
              work,
              tmp.resolve("h"),
              List.of("--dir", tmp.resolve("c").toString(), "-v", "--s3", "s3://nobucket/x"),
              s3.env(),
              300,
              "build",
              "-o",
              tmp.resolve("tiny").toString(),
              ".");
      assertBuilt(r);
      assertThat(r.stderr()).contains("bucket nobucket does not exist");
    }
  }

  @Test
  void s3proxyKilledMidBuild_buildSucceeds() throws Exception {
    S3Proxy s3 = S3Proxy.start(tmp.resolve("s3"));
    try (s3) {
      s3.createBucket("dies");
      Path work = Files.createDirectories(tmp.resolve("work"));
      Path home = Files.createDirectories(tmp.resolve("h"));
      Map<String, String> env = new HashMap<>(s3.env());
      env.put("PROGCACHE_REMOTE_TIMEOUT", "3s");
      CompletableFuture<GoRun.Result> build = new CompletableFuture<>();
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  build.complete(go(work, home, "s3://dies", env, "build", "net/http"));
                } catch (Throwable t) {
                  build.completeExceptionally(t);
                }
              });
      // let it upload for a while, then take S3 away under it
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (s3.objects("dies").size() < 5 && System.nanoTime() < deadline && !build.isDone()) {
        Thread.sleep(100);
      }
      s3.kill();
      GoRun.Result r = build.get();
      assertBuilt(r);
      assertThat(r.stat("remote-uploads")).as("some uploads before the kill").isPositive();
      assertThat(
              r.stat("remote-upload-errors")
                  + r.stat("remote-upload-dropped")
                  + r.stat("remote-errors"))
          .as("the kill was noticed; stderr:\n%s", r.stderr())
          .isPositive();
    }
  }
}
