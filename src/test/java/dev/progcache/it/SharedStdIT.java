package dev.progcache.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.GoRun;
import dev.progcache.testing.ServeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two helpers with separate local directories share through one {@code progcache serve}: what A
 * built, a fresh B gets entirely from the server, byte for byte.
 */
@Timeout(900)
class SharedStdIT {
  @TempDir Path tmp;

  @Test
  void goBuildStd_inA_thenFreshB_getsAllRemoteHits_identicalOutputs() throws Exception {
    try (ServeProcess server = ServeProcess.start("127.0.0.1:0", tmp.resolve("srv"), "--no-access-log")) {
      Path work = Files.createDirectories(tmp.resolve("work"));
      Path a = Files.createDirectories(tmp.resolve("a"));
      Path b = Files.createDirectories(tmp.resolve("b"));

      GoRun.Result stdA = go(work, a, server, "build", "std");
      assertOk(stdA);
      assertThat(stdA.stat("remote-uploads")).isEqualTo(stdA.stat("puts")).isPositive();
      GoRun.Result fmtA = go(work, a, server, "build", "-o", a.resolve("gofmt").toString(), "cmd/gofmt");
      assertOk(fmtA);

      GoRun.Result stdB = go(work, b, server, "build", "std");
      assertOk(stdB);
      assertThat(stdB.stat("misses")).as("misses in B; stderr:\n%s", stdB.stderr()).isZero();
      assertThat(stdB.stat("hits")).isEqualTo(stdB.stat("gets")).isPositive();
      // every hit came from the server: one by one, or prefetched from A's manifest
      assertThat(stdB.stat("remote-hits") + stdB.stat("prefetched"))
          .as("stderr:\n%s", stdB.stderr())
          .isGreaterThanOrEqualTo(stdB.stat("gets"));
      GoRun.Result fmtB = go(work, b, server, "build", "-o", b.resolve("gofmt").toString(), "cmd/gofmt");
      assertOk(fmtB);
      // go looks up the link action of `build -o` but never stores a binary it writes to -o:
      // that one get misses in A and in B alike (its std deps are local hits by now)
      assertThat(fmtB.stat("misses")).as("stderr:\n%s", fmtB.stderr()).isLessThanOrEqualTo(1);

      assertThat(Files.readAllBytes(b.resolve("gofmt"))).isEqualTo(Files.readAllBytes(a.resolve("gofmt")));
      try (Stream<Path> s = Files.walk(b.resolve("cache/o"))) {
        for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
          Path same = a.resolve("cache").resolve(b.resolve("cache").relativize(p));
          assertThat(Files.mismatch(p, same)).as("%s", p).isEqualTo(-1L);
        }
      }
      System.out.printf(
          "SharedStdIT: A std %d ms (cold), B std %d ms (fresh dir, warm server)%n", stdA.millis(), stdB.millis());
    }
  }

  private static GoRun.Result go(Path work, Path home, ServeProcess server, String... args)
      throws IOException, InterruptedException {
    return GoRun.go(
        work,
        home,
        List.of("--dir", home.resolve("cache").toString(), "-v", "--remote", server.url().toString()),
        // A's uploads must all land before B starts: on a loaded machine the default 5 s drain
        // after close can cut off the last of a cold std build's ~1,100 uploads
        Map.of("GO111MODULE", "off", "PROGCACHE_REMOTE_DRAIN", "120s"),
        600,
        args);
  }

  private static void assertOk(GoRun.Result r) {
    assertThat(r.exit()).as("go exit; stderr:\n%s", r.stderr()).isZero();
    assertThat(r.stat("errors")).as("Errs; stderr:\n%s", r.stderr()).isZero();
    assertThat(r.stat("remote-errors")).as("remote errors; stderr:\n%s", r.stderr()).isZero();
  }
}
