package dev.progcache.cli;

import static dev.progcache.testing.Requests.close;
import static dev.progcache.testing.Requests.put;
import static dev.progcache.testing.Requests.random;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Dist;
import dev.progcache.testing.HelperProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The maintenance subcommands and the helper's housekeeping, through the built launcher. */
@Timeout(120)
class AdminIT {
  static final String HANDSHAKE = "{\"ID\":0,\"KnownCommands\":[\"get\",\"put\",\"close\"]}";
  @TempDir Path tmp;

  record Result(int status, String out, String err) {}

  private Result progcache(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Dist.launcher().toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("HOME", tmp.toString());
    pb.environment().remove("XDG_CONFIG_HOME");
    pb.environment().putAll(env);
    pb.redirectError(tmp.resolve("err.txt").toFile());
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out, Files.readString(tmp.resolve("err.txt")));
  }

  /** One helper session with a few puts, then close. */
  private HelperProcess session(Map<String, String> env, Path dir) throws Exception {
    HelperProcess h = HelperProcess.start(env, "--dir", dir.toString(), "-v");
    assertThat(h.readLine(20)).isEqualTo(HANDSHAKE);
    Random rnd = new Random(1);
    for (int i = 1; i <= 3; i++) {
      h.write(put(i, random(rnd, 32), random(rnd, 100)));
      assertThat(h.readLine(20)).contains("\"ID\":" + i);
    }
    h.write(close(9));
    assertThat(h.readLine(20)).isEqualTo("{\"ID\":9}");
    return h;
  }

  @Test
  void helperPath_loadsNoAdminCode() throws Exception {
    Path log = tmp.resolve("classes.log");
    Map<String, String> env =
        Map.of(
            "PROGCACHE_JAVA_OPTS",
            "-Xlog:class+load=info:file=" + log,
            "PROGCACHE_TRIM_INTERVAL",
            "off");
    try (HelperProcess h = session(env, tmp.resolve("c"))) {
      assertThat(h.waitFor(30)).isZero();
    }
    String loaded = Files.readString(log);
    assertThat(loaded).contains("dev.progcache.cli.HelperConfig");
    for (String admin :
        List.of(
            "cli.Admin ",
            "cli.Admin$",
            "cli.DoctorCommand",
            "cli.ConfigCommand",
            "cli.VerifyCommand",
            "disk.Verifier",
            "picocli")) {
      assertThat(loaded).doesNotContain(admin);
    }
  }

  @Test
  void helperSession_recordsStatsAndTrimsWhenDue() throws Exception {
    Path dir = tmp.resolve("c");
    try (HelperProcess h = session(Map.of(), dir)) {
      assertThat(h.waitFor(30)).isZero();
      assertThat(h.stderr()).contains("progcache: gets=0").contains("progcache: trimmed " + dir);
    }
    assertThat(Files.readString(dir.resolve("sessions.log"))).contains(" puts=3 ");
    assertThat(dir.resolve("trim.txt")).exists();
    Result stats = progcache(Map.of(), "stats", "--dir", dir.toString());
    assertThat(stats.status()).isZero();
    assertThat(stats.out()).contains("3 records, 3 bodies").contains("recent sessions  1: 0 gets");
  }

  @Test
  void badConfigFile_handshakeFirst_thenOneLine_andTheHelperServes() throws Exception {
    Path f = Files.writeString(tmp.resolve("bad.toml"), "max-age = \"forever\"\n");
    try (HelperProcess h =
        HelperProcess.start(
            Map.of("PROGCACHE_CONFIG", f.toString()), "--dir", tmp.resolve("c").toString())) {
      assertThat(h.readLine(20)).isEqualTo(HANDSHAKE);
      Random rnd = new Random(2);
      h.write(put(1, random(rnd, 32), random(rnd, 100)));
      assertThat(h.readLine(20)).contains("\"ID\":1");
      h.write(close(9));
      assertThat(h.readLine(20)).isEqualTo("{\"ID\":9}");
      assertThat(h.waitFor(30)).isZero();
      assertThat(h.stderr())
          .contains(f + ":1: bad value \"forever\" for max-age")
          .contains("e.g. 5d")
          .contains("using the default 5d");
    }
  }

  @Test
  void subcommands_throughLauncher_helpConfigDoctorTrimVerify() throws Exception {
    for (String sub : List.of("trim", "stats", "verify", "doctor", "config")) {
      Result r = progcache(Map.of(), sub, "--help");
      assertThat(r.status()).as(sub).isZero();
      assertThat(r.out()).startsWith("usage: progcache " + sub);
    }
    Path dir = tmp.resolve("c");
    Files.createDirectories(tmp.resolve(".config/progcache"));
    Files.writeString(tmp.resolve(".config/progcache/config.toml"), "max-size = \"2G\"\n");
    Result cfg = progcache(Map.of("PROGCACHE_DIR", dir.toString()), "config");
    assertThat(cfg.status()).isZero();
    assertThat(cfg.out())
        .containsPattern("dir +" + dir + " +PROGCACHE_DIR")
        .containsPattern("max-size +2G +.*config.toml:1");

    Result bad = progcache(Map.of(), "config", "--max-age", "soon");
    assertThat(bad.status()).isEqualTo(2);
    assertThat(bad.err()).contains("--max-age: bad value \"soon\" for max-age");

    Result doctor =
        progcache(Map.of("PROGCACHE_DIR", dir.toString(), "PATH", "/nonexistent"), "doctor");
    assertThat(doctor.status()).isEqualTo(1);
    assertThat(doctor.out())
        .contains("OK    aot cache")
        .contains("FAIL  go")
        .contains("fix: install go");

    try (HelperProcess h = session(Map.of(), dir)) {
      assertThat(h.waitFor(30)).isZero();
    }
    assertThat(progcache(Map.of(), "verify", "--dir", dir.toString()).out())
        .contains("3 bodies")
        .contains("0 problems");
    Result trim =
        progcache(Map.of(), "trim", "--dir", dir.toString(), "--max-size", "1", "--dry-run");
    assertThat(trim.out()).contains("would remove 0 bodies"); // all used within the grace period
  }

  @Test
  void unknownSubcommandFlag_exitsTwoWithUsageHint() throws Exception {
    Result r = progcache(Map.of(), "trim", "--bogus");
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err()).contains("unknown flag --bogus").contains("progcache trim --help");
  }

  @SuppressWarnings("unused")
  private static byte[] bytes(Random r) {
    return random(r, 10);
  }
}
