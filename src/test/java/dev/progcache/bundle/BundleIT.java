package dev.progcache.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Cmd;
import dev.progcache.testing.Dist;
import dev.progcache.testing.GoModule;
import dev.progcache.testing.GoTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The self-contained archive, unpacked and run on a machine view with no JDK at all. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(600)
class BundleIT {
  @TempDir static Path tmp;
  Path home;
  Map<String, String> noJdk;

  @BeforeAll
  void unpack() throws Exception {
    Path target = Dist.launcher().getParent().getParent().getParent();
    Path archive;
    try (Stream<Path> s = Files.list(target)) {
      archive =
          s.filter(p -> p.getFileName().toString().matches("progcache-.*-linux-.*\\.tar\\.gz"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no progcache-*-linux-*.tar.gz in " + target));
    }
    Path into = Files.createDirectories(tmp.resolve("unpacked here"));
    Cmd.run(tmp, Map.of(), 120, "tar", "-C", into.toString(), "-xzf", archive.toString()).ok();
    try (Stream<Path> s = Files.list(into)) {
      home = s.findFirst().orElseThrow();
    }
    Path empty = Files.createDirectories(tmp.resolve("no-jdks"));
    noJdk = new HashMap<>();
    noJdk.put("JAVA_HOME", "");
    noJdk.put("PATH", GoTool.go().getParent() + ":/usr/bin:/bin"); // /usr/bin/java is 17: too old
    noJdk.put("PROGCACHE_JDK_SEARCH_DIR", empty.toString());
  }

  @Test
  void bundle_runsOnItsOwnRuntime_withoutAnyJdk() throws Exception {
    Cmd.Result r = Cmd.run(tmp, noJdk, 60, home.resolve("bin/progcache").toString(), "version").ok();
    assertThat(r.out()).startsWith("progcache ");
    assertThat(home.resolve("runtime/bin/java")).isExecutable();
    assertThat(home.resolve("lib/progcache.aot")).isRegularFile();
    Cmd.Result props =
        Cmd.run(tmp, noJdk, 60, home.resolve("runtime/bin/java").toString(), "-XshowSettings:properties", "-version");
    assertThat(props.err()).contains("java.home = " + home.resolve("runtime").toRealPath());
  }

  @Test
  void bundle_runtimeHoldsTheModulesJdepsFinds_andNoDevelopmentTools() throws Exception {
    String jdeps = Path.of(System.getProperty("java.home"), "bin", "jdeps").toString();
    Cmd.Result found =
        Cmd.run(tmp, Map.of(), 120, jdeps, "--print-module-deps", "--ignore-missing-deps",
            "--multi-release", "25", home.resolve("lib/progcache.jar").toString()).ok();
    List<String> needed = java.util.Arrays.asList(found.out().strip().split(","));
    Cmd.Result mods = Cmd.run(tmp, noJdk, 60, home.resolve("runtime/bin/java").toString(), "--list-modules").ok();
    List<String> have = mods.out().lines().map(l -> l.split("@")[0]).toList();
    assertThat(have).containsAll(needed).contains("jdk.crypto.ec");
    assertThat(have).doesNotContain("jdk.compiler", "jdk.jshell", "jdk.jdi", "jdk.jlink");
    assertThat(Files.readString(home.resolve("lib/modules.txt"))).contains(String.join(",", needed));
  }

  @Test
  void bundle_doctorIsClean() throws Exception {
    Map<String, String> env = new HashMap<>(GoModule.env(tmp, tmp.resolve("doctor-gocache")));
    env.putAll(noJdk);
    env.put("XDG_CONFIG_HOME", tmp.resolve("doctor-config").toString());
    Cmd.Result r = Cmd.run(tmp, env, 120, home.resolve("bin/progcache").toString(), "doctor");
    assertThat(r.code()).as("doctor output:\n%s%s", r.out(), r.err()).isZero();
    assertThat(r.out()).doesNotContain("FAIL").contains("OK");
  }

  @Test
  void bundle_realGoBuildTwice_secondIsAllHits() throws Exception {
    Path mod = tmp.resolve("mod");
    GoModule.write(mod);
    Map<String, String> env = new HashMap<>(GoModule.env(tmp, tmp.resolve("gocache")));
    env.putAll(noJdk);
    env.put("GOCACHEPROG", "'" + home.resolve("bin/progcache") + "' -v");
    String go = GoTool.go().toString();
    Cmd.Result first = Cmd.run(mod, env, 570, go, "build", "-o", tmp.resolve("a").toString(), ".").ok();
    assertThat(first.stat("puts")).isGreaterThan(0);
    Cmd.Result second = Cmd.run(mod, env, 570, go, "build", "-o", tmp.resolve("a").toString(), ".").ok();
    assertThat(second.stat("bytes-in")).isZero();
    assertThat(second.stat("hits")).isGreaterThanOrEqualTo(second.stat("gets") - 1);
  }
}
