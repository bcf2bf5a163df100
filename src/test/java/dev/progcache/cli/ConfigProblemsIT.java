package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Cmd;
import dev.progcache.testing.Dist;
import dev.progcache.testing.GoRun;
import dev.progcache.testing.GoTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * No configuration problem fails a go command: each kind of bad value, given each way, through a
 * real go build with the built helper (one-shot and daemon), gives a successful build and exactly
 * one line on stderr naming the setting and what the helper did instead.
 */
@Timeout(300)
class ConfigProblemsIT {
  @TempDir Path tmp;

  /** One cache for the class: only the first build compiles the runtime. */
  @TempDir static Path shared;

  Path module;
  Map<String, String> env;

  @BeforeEach
  void setUp() throws Exception {
    module = noImports(tmp.resolve("mod"));
    env = new HashMap<>();
    env.put("HOME", tmp.resolve("home").toString());
    env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
    env.put("XDG_CACHE_HOME", tmp.resolve("xdg-cache").toString());
    env.put("PROGCACHE_TRIM_INTERVAL", "off");
  }

  /** A module of one package that imports nothing: building it compiles one file, no runtime. */
  static Path noImports(Path dir) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("go.mod"), "module cfgtest\n\ngo 1.24\n");
    Files.writeString(
        dir.resolve("lib.go"), "package cfgtest\n\nfunc Answer() int { return 42 }\n");
    return dir;
  }

  /** A go build through the one-shot helper with {@code helperArgs}; asserts it succeeded. */
  private String build(List<String> helperArgs, Map<String, String> extra) throws Exception {
    Map<String, String> e = new HashMap<>(env);
    e.putAll(extra);
    GoRun.Result r = GoRun.go(module, tmp, helperArgs, e, 240, "build", "./...");
    assertThat(r.exit()).as("go build failed:\n%s", r.stderr()).isZero();
    return r.stderr();
  }

  private static String onlyLine(String stderr) {
    List<String> lines = stderr.lines().filter(l -> !l.isBlank()).toList();
    assertThat(lines).as("stderr:\n%s", stderr).hasSize(1);
    return lines.get(0);
  }

  private static List<String> dir() {
    return List.of("--dir", shared.resolve("cache").toString());
  }

  @Test
  void badJavaOpts_buildSucceeds_oneLineNamingTheVariable_jvmRunsWithoutThem() throws Exception {
    String stderr = build(dir(), Map.of("PROGCACHE_JAVA_OPTS", "-Xbanana"));
    List<String> ours = stderr.lines().filter(l -> l.startsWith("progcache:")).toList();
    assertThat(ours).as("stderr:\n%s", stderr).hasSize(1);
    assertThat(ours.get(0))
        .startsWith("progcache: PROGCACHE_JAVA_OPTS: the JVM did not start with these options")
        .contains("starting without them");
    assertThat(stderr).contains("-Xbanana"); // the JVM's own line names the option
  }

  @Test
  void goodJavaOpts_oneJvmStartPerGoCommand_noLine() throws Exception {
    Path logs = Files.createDirectories(tmp.resolve("jvm-logs"));
    // every JVM start writes a log file of its own (%p: its pid)
    String opts = "-Xlog:os=info:file=" + logs + "/jvm-%p.log";
    String stderr = build(dir(), Map.of("PROGCACHE_JAVA_OPTS", opts));
    assertThat(stderr).as("stderr").isBlank();
    try (var files = Files.list(logs)) {
      assertThat(files.toList()).as("JVM starts").hasSize(1);
    }
  }

  @Test
  void badSizeInTheEnvironment_buildSucceeds_oneLineWithTheDefault() throws Exception {
    String line = onlyLine(build(dir(), Map.of("PROGCACHE_MAX_SIZE", "banana")));
    assertThat(line)
        .startsWith("progcache: PROGCACHE_MAX_SIZE: bad value \"banana\" for max-size")
        .endsWith("using the default 10G");
    assertThat(shared.resolve("cache/a")).isDirectory();
  }

  @Test
  void badFlagValueAndUnknownFlagInGocacheprog_buildSucceeds_oneLineEach() throws Exception {
    assertThat(
            onlyLine(
                build(
                    List.of("--dir", shared.resolve("cache").toString(), "--max-age=forever"),
                    Map.of())))
        .contains("--max-age: bad value \"forever\" for max-age")
        .endsWith("using the default 5d");
    assertThat(
            onlyLine(
                build(List.of("--colour", "--dir", shared.resolve("cache").toString()), Map.of())))
        .contains("unknown flag --colour")
        .endsWith("ignored");
  }

  @Test
  void badLinesInTheConfigFile_buildSucceeds_oneLineEach() throws Exception {
    Path f = tmp.resolve("config/progcache/config.toml");
    Files.createDirectories(f.getParent());
    Files.writeString(f, "max-size = 20G\n[progcache]\nverbose = true\n");
    assertThat(onlyLine(build(dir(), Map.of())))
        .contains(f + ":3: unknown table [progcache]")
        .endsWith("ignored");
    Files.writeString(f, "max-age = \"forever\"\n");
    assertThat(onlyLine(build(dir(), Map.of())))
        .contains(f + ":1: bad value \"forever\" for max-age")
        .endsWith("using the default 5d");
  }

  @Test
  void cacheDirThatIsAFile_buildSucceeds_oneLine_thenTheFallbackIsUsed() throws Exception {
    Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
    Path fallback = tmp.resolve("xdg-cache/progcache-fallback");
    String line = onlyLine(build(List.of("--dir", file.toString()), Map.of()));
    assertThat(line)
        .startsWith("progcache: cannot create the cache directory " + file + ": not a directory")
        .endsWith("using " + fallback + " for this command")
        .doesNotContain("Exception");
    assertThat(fallback.resolve("a")).isDirectory();
  }

  @Test
  void badRemoteUrl_buildSucceeds_oneLine_tierOff() throws Exception {
    String line = onlyLine(build(dir(), Map.of("PROGCACHE_REMOTE", "not-a-url")));
    assertThat(line)
        .contains("PROGCACHE_REMOTE")
        .contains("not-a-url")
        .endsWith("the shared tier is off for this command")
        .doesNotContain("null");
  }

  @Test
  void remoteWithoutScheme_saysSo_tierOff() throws Exception {
    String line = onlyLine(build(dir(), Map.of("PROGCACHE_REMOTE", "cache.internal:8421")));
    assertThat(line)
        .contains("\"cache.internal:8421\" has no scheme; write http://cache.internal:8421")
        .endsWith("the shared tier is off for this command");
  }

  @Test
  void badRemoteTimeout_buildSucceeds_oneLine_tierOff() throws Exception {
    String line =
        onlyLine(
            build(
                dir(),
                Map.of(
                    "PROGCACHE_REMOTE", "http://127.0.0.1:1",
                    "PROGCACHE_REMOTE_TIMEOUT", "banana")));
    assertThat(line)
        .startsWith("progcache: PROGCACHE_REMOTE_TIMEOUT: bad value \"banana\" for remote-timeout")
        .endsWith("the shared tier is off for this command");
  }

  @Test
  void exec_verbose_printsTheSummaryBeforeItReturns() throws Exception {
    Map<String, String> e = new HashMap<>(env);
    e.put("GOCACHE", tmp.resolve("gocache").toString());
    e.put("GOTOOLCHAIN", "local");
    e.put("GOTELEMETRY", "off");
    e.put("PROGCACHE_REMOTE_DRAIN", "3s");
    e.put("PROGCACHE_REMOTE", "http://127.0.0.1:1"); // nothing listens: the close waits for it
    Cmd.Result r =
        Cmd.run(
            module,
            e,
            240,
            "sh",
            "-c",
            "\"$0\" exec -v --dir \"$1\" -- \"$2\" build ./...; echo RETURNED >&2",
            Dist.launcher().toString(),
            shared.resolve("cache").toString(),
            GoTool.go().toString());
    assertThat(r.code()).as(r.err()).isZero();
    int summary = r.err().indexOf("progcache: gets=");
    assertThat(summary).as(r.err()).isNotNegative();
    assertThat(r.err().indexOf("RETURNED")).as(r.err()).isGreaterThan(summary);
  }

  @Test
  void daemonSession_badValue_buildSucceeds_oneLine() throws Exception {
    Map<String, String> d = new HashMap<>(env);
    d.put("PROGCACHE_SOCKET_DIR", tmp.resolve("s").toString()); // the relay creates it, mode 0700
    d.put("PROGCACHE_DAEMON_IDLE", "60");
    d.put("PROGCACHE_MAX_SIZE", "banana");
    d.put("GOCACHEPROG", Dist.relay() + " --dir " + shared.resolve("cache"));
    d.put("GOCACHE", tmp.resolve("gocache").toString());
    d.put("GOTOOLCHAIN", "local");
    d.put("GOTELEMETRY", "off");
    try {
      Cmd.Result r = Cmd.run(module, d, 240, GoTool.go().toString(), "build", "./...");
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(onlyLine(r.err()))
          .startsWith("progcache: PROGCACHE_MAX_SIZE: bad value \"banana\" for max-size")
          .endsWith("using the default 10G");
    } finally {
      Cmd.run(tmp, d, 30, Dist.launcher().toString(), "daemon", "stop");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (System.nanoTime() < deadline
          && !Cmd.run(tmp, d, 30, Dist.launcher().toString(), "daemon", "status")
              .out()
              .contains("no daemon")) {
        Thread.sleep(100);
      }
    }
  }

  /** A go build through the relay and daemon with {@code idle} as PROGCACHE_DAEMON_IDLE. */
  private Map<String, String> daemonEnv(String idle) {
    Map<String, String> d = new HashMap<>(env);
    d.put("PROGCACHE_SOCKET_DIR", tmp.resolve("s").toString());
    d.put("PROGCACHE_DAEMON_IDLE", idle);
    d.put("GOCACHEPROG", Dist.relay() + " --dir " + shared.resolve("cache"));
    d.put("GOCACHE", tmp.resolve("gocache").toString());
    d.put("GOTOOLCHAIN", "local");
    d.put("GOTELEMETRY", "off");
    return d;
  }

  private boolean daemonGoneWithin(Map<String, String> d, long seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (Cmd.run(tmp, d, 30, Dist.launcher().toString(), "daemon", "status")
          .out()
          .contains("no daemon")) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  @Test
  void daemonIdle_takesADuration_andExitsWhenIdle() throws Exception {
    Map<String, String> d = daemonEnv("1500ms");
    Cmd.Result r = Cmd.run(module, d, 240, GoTool.go().toString(), "build", "./...");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).isBlank();
    assertThat(daemonGoneWithin(d, 20)).as("the daemon left after 1.5 s without sessions").isTrue();
  }

  @Test
  void daemonIdle_bad_buildSucceedsQuietly_daemonLogNamesIt_andKeepsTheDefault() throws Exception {
    Map<String, String> d = daemonEnv("banana");
    try {
      Cmd.Result r = Cmd.run(module, d, 240, GoTool.go().toString(), "build", "./...");
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.err()).isBlank();
      Cmd.Result status = Cmd.run(tmp, d, 30, Dist.launcher().toString(), "daemon", "status");
      assertThat(status.out()).as("the daemon runs, with the default").doesNotContain("no daemon");
      Path log;
      try (var files = Files.list(tmp.resolve("s"))) {
        log =
            files
                .filter(f -> f.getFileName().toString().endsWith(".log"))
                .findFirst()
                .orElseThrow();
      }
      assertThat(Files.readString(log))
          .contains("PROGCACHE_DAEMON_IDLE: bad value \"banana\"")
          .contains("using the default 15m");
    } finally {
      Cmd.run(tmp, d, 30, Dist.launcher().toString(), "daemon", "stop");
      daemonGoneWithin(d, 20);
    }
  }

  @Test
  void daemonRun_badIdleExitFlag_isAUsageError() throws Exception {
    Cmd.Result r =
        Cmd.run(tmp, env, 60, Dist.launcher().toString(), "daemon", "run", "--idle-exit", "soon");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--idle-exit: bad value \"soon\"").contains("15m");
  }
}
