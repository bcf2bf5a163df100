package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.GoTool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class DoctorTest {
  @TempDir Path tmp;

  private String doctor(
      Map<String, String> env, List<String> args, Runtime.Version jdk, DoctorCommand.Launch launch)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    HelperConfig cfg = HelperConfig.parse(args, env, new ArrayList<>());
    Admin.Invocation inv =
        new Admin.Invocation(
            cfg, java.util.Set.of(), new Admin.Context(env, ps, ps, System::nanoTime));
    Doctor.run(DoctorCommand.checks(inv, jdk, launch), ps);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void doctor_reportsEachFailureWithItsFix() throws Exception {
    Path notADir = Files.writeString(tmp.resolve("file"), "x");
    Path badConfig = Files.writeString(tmp.resolve("c.toml"), "max-size = \"huge\"\n");
    Map<String, String> env = new HashMap<>();
    env.put("PATH", tmp.resolve("empty").toString());
    env.put("HOME", tmp.toString());
    env.put("GOCACHE", "relative/dir");
    env.put("PROGCACHE_CONFIG", badConfig.toString());
    Path launcher = tmp.resolve("dist/bin/progcache");

    String report =
        doctor(
            env,
            List.of("--dir", notADir.resolve("sub").toString()),
            Runtime.Version.parse("21.0.2"),
            new DoctorCommand.Launch(List.of("-Xss512k"), Optional.of(launcher.toString())));

    assertThat(report)
        .contains("FAIL  jdk        JDK 21.0.2")
        .contains("fix: install JDK 25 or newer")
        .contains("FAIL  config     " + badConfig + ":1: bad value \"huge\" for max-size")
        .contains("fix: correct the values named above")
        .contains("FAIL  go         no go on PATH")
        .contains("fix: install go 1.24 or newer")
        .contains("FAIL  GOCACHE    GOCACHE=relative/dir is not an absolute path")
        .contains("fix: set GOCACHE to an absolute directory")
        .contains("FAIL  cache dir  cannot write to " + notADir.resolve("sub"))
        .contains("fix: make " + notADir.resolve("sub") + " a directory writable by this user")
        .contains("FAIL  aot cache  the launcher " + launcher + " found no AOT cache")
        .contains(
            "fix: rebuild the distribution, or train it: PROGCACHE_JAVA_OPTS=-XX:AOTCacheOutput="
                + tmp.resolve("dist/lib/progcache.aot"));
    long fails = report.lines().filter(l -> l.startsWith("FAIL")).count();
    long fixes = report.lines().filter(l -> l.strip().startsWith("fix: ")).count();
    assertThat(report).contains("FAIL  GOCACHEPROG no go on PATH");
    assertThat(fails).isEqualTo(7).isEqualTo(fixes);
  }

  @Test
  void doctor_notStartedByLauncher_saysHowToStartIt() throws Exception {
    String report =
        doctor(
            Map.of("HOME", tmp.toString(), "PATH", ""),
            List.of("--dir", tmp.resolve("c").toString()),
            Runtime.version(),
            new DoctorCommand.Launch(List.of(), Optional.empty()));
    assertThat(report)
        .contains("FAIL  aot cache  not started by the bin/progcache launcher")
        .contains("fix: run progcache through bin/progcache");
  }

  @Test
  void doctor_healthySetup_allOk() throws Exception {
    Path go = GoTool.go();
    Path aot = Files.createDirectories(tmp.resolve("lib")).resolve("progcache.aot");
    Files.writeString(aot, "x");
    Map<String, String> env = new HashMap<>();
    env.put("PATH", go.getParent().toString());
    env.put("HOME", tmp.toString());
    // go may leave a telemetry child writing under the config dir: keep that out of the temp dir
    env.put(
        "XDG_CONFIG_HOME",
        Files.createDirectories(
                Path.of(System.getProperty("java.io.tmpdir"), "progcache-doctor-test-config"))
            .toString());
    env.put("GOCACHE", tmp.resolve("gocache").toString());
    env.put("PROGCACHE_MAX_SIZE", "64M");
    String report =
        doctor(
            env,
            List.of(),
            Runtime.version(),
            new DoctorCommand.Launch(
                List.of("-XX:AOTCache=" + aot),
                Optional.of(tmp.resolve("bin/progcache").toString())));
    assertThat(report)
        .doesNotContain("FAIL")
        .contains("OK    go         go1.")
        .contains(tmp.resolve("gocache/progcache") + " is writable");
  }

  @Test
  void daemonSocketDir_openToOthers_fails_private_isOk() throws Exception {
    Path open = Files.createDirectory(tmp.resolve("open"));
    Files.setPosixFilePermissions(
        open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    Doctor.Result bad =
        DoctorBuildChecks.daemonSocketDir(Map.of("PROGCACHE_SOCKET_DIR", open.toString()));
    assertThat(bad.toString())
        .contains("FAIL")
        .contains("open to other users")
        .contains("one-shot");
    Path mine = Files.createDirectory(tmp.resolve("mine"));
    Files.setPosixFilePermissions(
        mine, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    Doctor.Result good =
        DoctorBuildChecks.daemonSocketDir(Map.of("PROGCACHE_SOCKET_DIR", mine.toString()));
    assertThat(good.toString()).contains("OK").contains(mine.toString());
  }
}
