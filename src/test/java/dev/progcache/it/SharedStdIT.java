package dev.progcache.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Cmd;
import dev.progcache.testing.Dist;
import dev.progcache.testing.GoRun;
import dev.progcache.testing.GoTool;
import dev.progcache.testing.LatencyProxy;
import dev.progcache.testing.ServeProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Helpers with separate local directories share through one {@code progcache serve}: what A built,
 * a fresh B gets entirely from the server, byte for byte, prefetched while go starts asking
 * although the server is 20 ms away (a {@link LatencyProxy}); a fresh C after B, on the manifest B
 * settled, prefetches only what go asks for and leaves at most 5 % of it unused; a warm B holds
 * back what the manifest lists and it lacks (what A's test built). One cold {@code go build std}
 * serves all of it.
 */
@Timeout(900)
class SharedStdIT {
  @TempDir Path tmp;

  @Test
  void goBuildStd_inA_thenFreshRunners20msAway_getEverythingFromTheServer_identicalOutputs()
      throws Exception {
    try (ServeProcess server =
            ServeProcess.start("127.0.0.1:0", tmp.resolve("srv"), "--no-access-log");
        LatencyProxy far = LatencyProxy.start(server.port(), Duration.ofMillis(20), 64)) {
      Path work = Files.createDirectories(tmp.resolve("work"));
      Path a = Files.createDirectories(tmp.resolve("a"));
      Path b = Files.createDirectories(tmp.resolve("b"));

      GoRun.Result stdA = go(work, a, server.url(), "build", "std");
      assertOk(stdA);
      assertThat(stdA.stat("remote-uploads")).isEqualTo(stdA.stat("puts")).isPositive();
      GoRun.Result fmtA =
          go(work, a, server.url(), "build", "-o", a.resolve("gofmt").toString(), "cmd/gofmt");
      assertOk(fmtA);

      GoRun.Result stdB = go(work, b, far.url(), "build", "std");
      assertOk(stdB);
      String why = "stderr:\n" + stdB.stderr();
      assertThat(stdB.stat("misses")).as("misses in B; " + why).isZero();
      assertThat(stdB.stat("hits")).isEqualTo(stdB.stat("gets")).isPositive();
      // every hit came from the server: prefetched from A's manifest, or one by one (next to none)
      assertThat(stdB.stat("remote-hits") + stdB.stat("prefetched"))
          .as(why)
          .isGreaterThanOrEqualTo(stdB.stat("gets"));
      assertThat(stdB.stat("remote-hits")).as(why).isLessThanOrEqualTo(stdB.stat("gets") / 50);
      assertThat(stdB.stat("prefetched"))
          .as(why)
          .isGreaterThanOrEqualTo(stdB.stat("prefetch-used"));
      // (a second get of the same entry counts once as used)
      assertThat(stdB.stat("prefetch-used"))
          .as("nearly every get answered by a prefetched entry; " + why)
          .isGreaterThanOrEqualTo(stdB.stat("gets") * 9 / 10);
      assertThat(stdB.stat("prefetch-errors")).as(why).isZero();
      // A's builds (a cold std, then gofmt asking for a fraction of it) did not settle the
      // manifest: B prefetched everything listed
      assertThat(stdB.stat("prefetched") + stdB.stat("remote-hits"))
          .as(why)
          .isGreaterThanOrEqualTo(stdB.stat("prefetch-listed"));

      GoRun.Result fmtB =
          go(work, b, far.url(), "build", "-o", b.resolve("gofmt").toString(), "cmd/gofmt");
      assertOk(fmtB);
      // go looks up the link action of `build -o` but never stores a binary it writes to -o:
      // that one get misses in A and in B alike (its std deps are local hits by now)
      assertThat(fmtB.stat("misses")).as("stderr:\n%s", fmtB.stderr()).isLessThanOrEqualTo(1);
      assertThat(Files.readAllBytes(b.resolve("gofmt")))
          .isEqualTo(Files.readAllBytes(a.resolve("gofmt")));
      try (Stream<Path> s = Files.walk(b.resolve("cache/o"))) {
        for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
          Path same = a.resolve("cache").resolve(b.resolve("cache").relativize(p));
          assertThat(Files.mismatch(p, same)).as("%s", p).isEqualTo(-1L);
        }
      }

      // B found what it asked for, and asked for all A's std build did: its report settled the
      // manifest, so the next fresh runner prefetches only what go asks for and still finds it all
      awaitManifestMerges(server, 3); // A's two reports and B's land after go is done
      Path c = Files.createDirectories(tmp.resolve("c"));
      GoRun.Result stdC = go(work, c, far.url(), "build", "std");
      assertOk(stdC);
      String whyC = "stderr:\n" + stdC.stderr();
      assertThat(stdC.stat("misses")).as(whyC).isZero();
      assertThat(stdC.stat("hits")).as(whyC).isEqualTo(stdC.stat("gets"));
      assertThat(stdC.stat("prefetched") + stdC.stat("remote-hits"))
          .as("only what go asked for: " + whyC)
          .isLessThan(stdC.stat("prefetch-listed") * 9 / 10);
      assertThat(stdC.stat("remote-hits")).as(whyC).isLessThanOrEqualTo(stdC.stat("gets") / 50);
      assertThat(stdC.stat("prefetch-wasted-bytes"))
          .as("at most 5 %% of the prefetched bytes unused on a settled manifest; " + whyC)
          .isLessThanOrEqualTo(stdC.stat("prefetch-bytes") / 20);

      // a warm local dir prefetches nothing and uploads no manifest when nothing is new
      GoRun.Result warmB = go(work, b, far.url(), "build", "std");
      assertOk(warmB);
      assertThat(warmB.stat("prefetched")).as("stderr:\n%s", warmB.stderr()).isZero();
      assertThat(warmB.stat("hits")).isEqualTo(warmB.stat("gets"));

      // `progcache prefetch` ahead of go, as a CI job runs it while its modules download: a fresh
      // E then finds everything on disk, so the build context it computed (asking go env) is go's
      Path e = Files.createDirectories(tmp.resolve("e"));
      Cmd.Result ahead =
          Cmd.run(
              work,
              Map.of(
                  "GO111MODULE",
                  "off",
                  "PATH",
                  GoTool.go().getParent() + java.io.File.pathSeparator + System.getenv("PATH")),
              120,
              Dist.launcher().toString(),
              "prefetch",
              "--dir",
              e.resolve("cache").toString(),
              "--remote",
              far.url().toString());
      assertThat(ahead.code()).as("stderr:\n%s", ahead.err()).isZero();
      assertThat(ahead.err())
          .containsPattern(
              "progcache prefetch: [1-9]\\d* listed, 0 already in \\S+, [1-9]\\d* fetched");
      GoRun.Result stdE = go(work, e, far.url(), "build", "std");
      assertOk(stdE);
      String whyE = "stderr:\n" + stdE.stderr() + "\nprefetch: " + ahead.err();
      assertThat(stdE.stat("misses")).as(whyE).isZero();
      assertThat(stdE.stat("hits")).as(whyE).isEqualTo(stdE.stat("gets")).isPositive();
      assertThat(stdE.stat("prefetched")).as("everything listed was on disk; " + whyE).isZero();
      assertThat(stdE.stat("remote-hits")).as(whyE).isLessThanOrEqualTo(stdE.stat("gets") / 50);

      // daemon mode loses nothing of that: a fresh D through the relay and a new daemon prefetches
      // for its own build context and finds everything
      Path d = Files.createDirectories(tmp.resolve("d"));
      GoRun.Result stdD = throughRelay(work, d, far.url(), "build", "std");
      assertOk(stdD);
      String whyD = "stderr:\n" + stdD.stderr();
      assertThat(stdD.stat("misses")).as("nothing compiled: " + whyD).isZero();
      assertThat(stdD.stat("hits")).as(whyD).isEqualTo(stdD.stat("gets")).isPositive();
      assertThat(stdD.stat("prefetch-used"))
          .as("nearly every get answered by a prefetched entry; " + whyD)
          .isGreaterThanOrEqualTo(stdD.stat("gets") * 9 / 10);
      Cmd.run(tmp, daemonEnv(d), 30, Dist.launcher().toString(), "daemon", "stop", "--all");

      // A tests a package: the context's manifest now lists ids a warm B lacks and its next build
      // never asks for; B's build of gofmt misses locally (go never stores a -o link), wakes the
      // shared tier and holds those ids back instead of prefetching them
      double merged = mergedReports(server);
      assertOk(go(work, a, server.url(), "test", "-count=1", "-run", "TestBuilder", "strings"));
      awaitManifestMerges(server, (int) merged + 1);
      GoRun.Result fmtWarm =
          go(work, b, far.url(), "build", "-o", b.resolve("gofmt2").toString(), "cmd/gofmt");
      assertOk(fmtWarm);
      String whyW = "stderr:\n" + fmtWarm.stderr();
      assertThat(fmtWarm.stat("prefetch-held")).as("listed ids B lacks; " + whyW).isPositive();
      assertThat(fmtWarm.stat("prefetch-wasted-bytes"))
          .as("a warm machine: at most 1 MB unused; " + whyW)
          .isLessThanOrEqualTo(1 << 20);
      assertThat(fmtWarm.stat("prefetched")).as(whyW).isZero();
      System.out.printf(
          "SharedStdIT: A std %d ms (cold); fresh dirs 20 ms away: B std %d ms (%s); C std, settled"
              + " manifest, %d ms (%s); D through the relay, new daemon, %d ms (%s); warm B after"
              + " A's test (%s)%n",
          stdA.millis(),
          stdB.millis(),
          statsLine(stdB),
          stdC.millis(),
          statsLine(stdC),
          stdD.millis(),
          statsLine(stdD),
          statsLine(fmtWarm));
    }
  }

  private static double mergedReports(ServeProcess server) throws Exception {
    return server
        .metric("progcache_requests_total\\{outcome=\"merged\",route=\"manifest\"\\}")
        .orElse(0);
  }

  /** Waits (30 s at most) until the server merged {@code n} manifest reports. */
  private static void awaitManifestMerges(ServeProcess server, int n) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    double seen = 0;
    while (System.nanoTime() < deadline) {
      seen = mergedReports(server);
      if (seen >= n) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the server merged " + seen + " manifest reports, not " + n);
  }

  private static String statsLine(GoRun.Result r) {
    return r.stderr()
        .lines()
        .filter(l -> l.contains("progcache: gets="))
        .reduce((x, y) -> y)
        .orElse("");
  }

  private static GoRun.Result go(Path work, Path home, URI remote, String... args)
      throws IOException, InterruptedException {
    // every upload and manifest report lands before the next build: on a loaded machine the
    // default 5 s drain after close can cut off the last of a cold std build's ~1,100 uploads
    return GoRun.withRemote(
        work,
        home,
        remote,
        Map.of("GO111MODULE", "off", "PROGCACHE_REMOTE_DRAIN", "120s"),
        600,
        args);
  }

  private static Map<String, String> daemonEnv(Path home) {
    return Map.of(
        "GO111MODULE", "off",
        "PROGCACHE_SOCKET_DIR", home.resolve("sockets").toString(),
        "PROGCACHE_DAEMON_IDLE", "60");
  }

  private static GoRun.Result throughRelay(Path work, Path home, URI remote, String... args)
      throws IOException, InterruptedException {
    List<String> helper =
        List.of("--dir", home.resolve("cache").toString(), "-v", "--remote", remote.toString());
    return GoRun.go(Dist.relay(), work, home, helper, daemonEnv(home), 600, args);
  }

  private static void assertOk(GoRun.Result r) {
    assertThat(r.exit()).as("go exit; stderr:\n%s", r.stderr()).isZero();
    assertThat(r.stat("errors")).as("Errs; stderr:\n%s", r.stderr()).isZero();
    assertThat(r.stat("remote-errors")).as("remote errors; stderr:\n%s", r.stderr()).isZero();
  }
}
