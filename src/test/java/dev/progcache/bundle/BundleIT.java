package dev.progcache.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Bundle;
import dev.progcache.testing.Cmd;
import dev.progcache.testing.GoModule;
import dev.progcache.testing.GoTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    home = Bundle.unpack(tmp.resolve("unpacked here"));
    noJdk = Bundle.noJdk(tmp);
  }

  @Test
  void bundle_runsOnItsOwnRuntime_withoutAnyJdk() throws Exception {
    Cmd.Result r =
        Cmd.run(tmp, noJdk, 60, home.resolve("bin/progcache").toString(), "version").ok();
    assertThat(r.out()).startsWith("progcache ");
    assertThat(home.resolve("runtime/bin/java")).isExecutable();
    assertThat(home.resolve("lib/progcache.aot")).isRegularFile();
    Cmd.Result props =
        Cmd.run(
            tmp,
            noJdk,
            60,
            home.resolve("runtime/bin/java").toString(),
            "-XshowSettings:properties",
            "-version");
    assertThat(props.err()).contains("java.home = " + home.resolve("runtime").toRealPath());
  }

  @Test
  void bundle_runtimeHoldsTheModulesJdepsFinds_andNoDevelopmentTools() throws Exception {
    String jdeps = Path.of(System.getProperty("java.home"), "bin", "jdeps").toString();
    Cmd.Result found =
        Cmd.run(
                tmp,
                Map.of(),
                120,
                jdeps,
                "--print-module-deps",
                "--ignore-missing-deps",
                "--multi-release",
                "25",
                home.resolve("lib/progcache.jar").toString())
            .ok();
    List<String> needed = java.util.Arrays.asList(found.out().strip().split(","));
    Cmd.Result mods =
        Cmd.run(tmp, noJdk, 60, home.resolve("runtime/bin/java").toString(), "--list-modules").ok();
    List<String> have = mods.out().lines().map(l -> l.split("@")[0]).toList();
    assertThat(have).containsAll(needed).contains("jdk.crypto.ec");
    assertThat(have)
        .doesNotContain("jdk.compiler", "jdk.jshell", "jdk.jdi", "jdk.jlink", "java.desktop");
    assertThat(Files.readString(home.resolve("lib/modules.txt")))
        .contains(String.join(",", needed));
  }

  @Test
  void bundle_archiveIsAtMost45MiB_underAVersionedAndAStableName() throws Exception {
    Path stable = Bundle.archive();
    assertThat(Files.size(stable)).as("%s", stable).isLessThanOrEqualTo(45L << 20);
    String arch =
        stable.getFileName().toString().replace("progcache-linux-", "").replace(".tar.gz", "");
    Path versioned = stable.resolveSibling(home.getFileName() + ".tar.gz");
    assertThat(home.getFileName().toString()).matches("progcache-.+-linux-" + arch);
    assertThat(Files.isSameFile(stable, versioned) || Files.mismatch(stable, versioned) == -1)
        .isTrue();
  }

  @Test
  void bundle_legalHoldsLicenceNoticesEachLibrarysFilesAndTheSbom() throws Exception {
    Path legal = home.resolve("legal");
    assertThat(Files.readString(legal.resolve("LICENSE")))
        .contains("Apache License", "Version 2.0, January 2004");
    assertThat(Files.readString(legal.resolve("NOTICE"))).startsWith("progcache");
    // the jar's notices are merged, not the last library's winning
    String notices = Files.readString(legal.resolve("NOTICE-libraries"));
    assertThat(notices).contains("AWS SDK", "Micrometer");
    List<String> libs;
    try (var s = Files.list(legal.resolve("third-party"))) {
      libs = s.map(p -> p.getFileName().toString()).toList();
    }
    assertThat(libs).anyMatch(l -> l.startsWith("slf4j-api-")).anyMatch(l -> l.startsWith("s3-"));
    for (String l : libs) {
      try (var files = Files.walk(legal.resolve("third-party").resolve(l))) {
        assertThat(files.filter(Files::isRegularFile).count())
            .as("licence files of %s", l)
            .isPositive();
      }
    }
    var sbom =
        tools.jackson.databind.json.JsonMapper.builder()
            .build()
            .readTree(legal.resolve("sbom.cyclonedx.json").toFile());
    assertThat(sbom.get("bomFormat").asString()).isEqualTo("CycloneDX");
    List<String> names = new java.util.ArrayList<>();
    for (var c : sbom.get("components")) {
      names.add(c.get("name").asString());
      assertThat(c.get("licenses")).as("licence of %s", c.get("purl")).isNotNull().isNotEmpty();
    }
    assertThat(names)
        .contains(
            "jetty-server", "s3", "nimbus-jose-jwt", "lz4-java", "jackson-core", "micrometer-core")
        .doesNotContain("junit-jupiter-api", "assertj-core", "jfreechart", "jackson-databind");
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
    Cmd.Result first =
        Cmd.run(mod, env, 570, go, "build", "-o", tmp.resolve("a").toString(), ".").ok();
    assertThat(first.stat("puts")).isGreaterThan(0);
    Cmd.Result second =
        Cmd.run(mod, env, 570, go, "build", "-o", tmp.resolve("a").toString(), ".").ok();
    assertThat(second.stat("bytes-in")).isZero();
    assertThat(second.stat("hits")).isGreaterThanOrEqualTo(second.stat("gets") - 1);
  }
}
