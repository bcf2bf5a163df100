package dev.progcache.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.GoModule;
import dev.progcache.testing.GoRun;
import dev.progcache.testing.ServeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An edge cache ({@code serve --upstream}) in front of a central server, all real processes on
 * loopback, with real go builds of a small module: a fresh runner behind a fresh edge compiles
 * nothing; what it builds reaches the central server through the edge; with the central server
 * down, the edge still serves what it holds.
 */
@Timeout(900)
class EdgeCacheIT {
  private static final Pattern COMPILE = Pattern.compile("(?m)^\\S*/compile -o ");
  @TempDir Path tmp;

  @Test
  void freshRunnerBehindFreshEdge_compilesNothing_forwardsPuts_andSurvivesCentralDown()
      throws Exception {
    // go's action ids include the module's path, so every runner builds in one checkout
    Path mod = tmp.resolve("checkout");
    GoModule.write(mod);
    try (ServeProcess central =
        ServeProcess.start("127.0.0.1:0", tmp.resolve("central"), "--no-access-log")) {
      GoRun.Result a =
          go(mod, "a", central, "build", "-x", "-o", tmp.resolve("bin-a").toString(), ".");
      assertOk(a);
      assertThat(compiles(a)).as("runner A builds everything").isPositive();

      ServeProcess edge = edge(central);
      try {
        // a fresh runner behind a fresh edge: everything comes from central through the edge
        GoRun.Result b =
            go(mod, "b", edge, "build", "-x", "-o", tmp.resolve("bin-b").toString(), ".");
        assertOk(b);
        assertThat(compiles(b)).as("compiles behind the edge; stderr:\n%s", b.stderr()).isZero();
        assertThat(b.stat("bytes-in")).as("nothing built, nothing stored").isZero();
        assertThat(b.stat("remote-hits")).isPositive();
        assertThat(Files.readAllBytes(tmp.resolve("bin-b")))
            .isEqualTo(Files.readAllBytes(tmp.resolve("bin-a")));
        assertThat(metric(edge, "progcache_upstream_requests_total\\{outcome=\"hit\",?\\}"))
            .isPositive();
        System.out.printf(
            "EdgeCacheIT: A %d ms (cold, to central), B %d ms (fresh dir, fresh edge)%n",
            a.millis(), b.millis());

        // what B builds new (the test of package greet) goes to the edge, which forwards it
        GoRun.Result bt = go(mod, "b", edge, "test", "-x", "./greet");
        assertOk(bt);
        assertThat(compiles(bt)).as("the test package is new").isPositive();
        assertThat(bt.stat("puts")).isPositive();
      } finally {
        // a graceful stop forwards what is still queued before the edge exits
        assertThat(edge.stop(60)).as("edge stderr:\n%s", edge.stderr()).isIn(0, 143);
      }
      assertThat(edge.stderr()).doesNotContain("upload(s) not finished");

      // C talks to central directly: B's test result and test package came through the edge
      GoRun.Result c = go(mod, "c", central, "test", "-x", "./greet");
      assertOk(c);
      assertThat(c.stdout()).contains("(cached)");
      assertThat(compiles(c)).as("compiles at C; stderr:\n%s", c.stderr()).isZero();

      // central down: the edge (restarted on its directory) serves what it holds
      ServeProcess again = edge(central);
      try {
        central.kill();
        GoRun.Result d =
            go(mod, "d", again, "build", "-x", "-o", tmp.resolve("bin-d").toString(), ".");
        assertThat(d.exit()).as("go exit; stderr:\n%s", d.stderr()).isZero();
        assertThat(d.stat("errors")).isZero();
        assertThat(compiles(d)).as("compiles with central down; stderr:\n%s", d.stderr()).isZero();
        assertThat(Files.readAllBytes(tmp.resolve("bin-d")))
            .isEqualTo(Files.readAllBytes(tmp.resolve("bin-a")));
      } finally {
        again.close();
      }
    }
  }

  private ServeProcess edge(ServeProcess central) throws IOException, InterruptedException {
    return ServeProcess.start(
        "127.0.0.1:0",
        tmp.resolve("edge"),
        "--no-access-log",
        "--upstream",
        central.url().toString(),
        "--upstream-timeout",
        "5s");
  }

  private GoRun.Result go(Path mod, String runner, ServeProcess server, String... args)
      throws IOException, InterruptedException {
    Path home = Files.createDirectories(tmp.resolve(runner));
    Map<String, String> env = new HashMap<>(GoModule.env(home, home.resolve("gocache")));
    env.remove("GOCACHEPROG");
    // all uploads of one go command land before the next runner starts
    env.put("PROGCACHE_REMOTE_DRAIN", "120s");
    return GoRun.withRemote(mod, home, server.url(), env, 600, args);
  }

  private static long compiles(GoRun.Result r) {
    Matcher m = COMPILE.matcher(r.stderr());
    long n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static double metric(ServeProcess s, String pattern)
      throws IOException, InterruptedException {
    OptionalDouble v = s.metric(pattern);
    assertThat(v).as("%s in\n%s", pattern, s.metrics()).isPresent();
    return v.getAsDouble();
  }

  private static void assertOk(GoRun.Result r) {
    assertThat(r.exit()).as("go exit; stderr:\n%s", r.stderr()).isZero();
    assertThat(r.stat("errors")).as("Errs; stderr:\n%s", r.stderr()).isZero();
    assertThat(r.stat("remote-errors")).as("remote errors; stderr:\n%s", r.stderr()).isZero();
  }
}
