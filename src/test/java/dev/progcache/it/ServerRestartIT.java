package dev.progcache.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.GoRun;
import dev.progcache.testing.ServeProcess;
import dev.progcache.testing.Threads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Case 33: the server restarts while a build runs; the build succeeds and entries persist. */
@Timeout(600)
class ServerRestartIT {
  @TempDir Path tmp;

  @Test
  void case33_serverRestartMidBuild_buildSucceeds_entriesSurvive() throws Exception {
    Path module = GoRun.tinyModule(tmp.resolve("mod"));
    Path store = tmp.resolve("srv");
    ServeProcess first = ServeProcess.start("127.0.0.1:0", store);
    int port = first.port();
    Path a = Files.createDirectories(tmp.resolve("a"));
    Map<String, String> env =
        Map.of(
            "PROGCACHE_REMOTE_TIMEOUT", "2s",
            "PROGCACHE_REMOTE_BREAKER_FAILURES", "3",
            "PROGCACHE_REMOTE_BREAKER_OPEN", "1s",
            "PROGCACHE_REMOTE_DRAIN", "10s");
    List<String> helper =
        List.of("--dir", a.resolve("cache").toString(), "-v", "--remote", first.url().toString());
    CompletableFuture<GoRun.Result> build =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return GoRun.go(
                    module, a, helper, env, 400, "build", "-o", a.resolve("bin").toString(), ".");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            Threads.VIRTUAL);
    // restart once the build's uploads have begun (go's first compiled packages), while it runs
    double puts = 0;
    for (int i = 0; i < 1200 && puts < 1 && !build.isDone(); i++) {
      Thread.sleep(50);
      puts = first.metric("progcache_requests_total\\{outcome=\"ok\",route=\"put\"\\}").orElse(0);
    }
    assertThat(puts)
        .as("uploads reached the first server; stderr:\n%s", first.stderr())
        .isPositive();
    assertThat(build.isDone()).as("the build still runs when the server stops").isFalse();
    // a JVM stopped by SIGTERM exits with 143 after its shutdown hooks (the graceful stop) ran
    assertThat(first.stop(30)).as("graceful stop; stderr:\n%s", first.stderr()).isIn(0, 143);
    Thread.sleep(1500);
    try (ServeProcess second = ServeProcess.start("127.0.0.1:" + port, store)) {
      GoRun.Result r = build.get(400, TimeUnit.SECONDS);
      assertThat(r.exit()).as("stderr:\n%s", r.stderr()).isZero();
      assertThat(r.stat("errors")).isZero();

      // what reached the server, before the restart or after it, is served to a fresh helper
      Path b = Files.createDirectories(tmp.resolve("b"));
      GoRun.Result rb =
          GoRun.go(
              module,
              b,
              List.of(
                  "--dir",
                  b.resolve("cache").toString(),
                  "-v",
                  "--remote",
                  second.url().toString()),
              Map.of(),
              400,
              "build",
              "-o",
              b.resolve("bin").toString(),
              ".");
      assertThat(rb.exit()).as("stderr:\n%s", rb.stderr()).isZero();
      // from the server: one by one, or prefetched along the manifest the first build left
      assertThat(rb.stat("remote-hits") + rb.stat("prefetch-used"))
          .as("stderr:\n%s", rb.stderr())
          .isPositive();
      assertThat(Files.readAllBytes(b.resolve("bin")))
          .isEqualTo(Files.readAllBytes(a.resolve("bin")));
    }
  }
}
