package dev.progcache.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Cmd;
import dev.progcache.testing.Dist;
import dev.progcache.testing.GoModule;
import dev.progcache.testing.GoTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 14: the real go command through {@code progcache exec} on the default local cache
 * ({@code $GOCACHE/progcache}). One cache for the class, warmed by the first test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(600)
class RealGoIT {
  @TempDir static Path root;
  Path mod;
  Map<String, String> env;
  Path goCache;

  @BeforeAll
  void setUp() throws Exception {
    GoTool.go();
    mod = root.resolve("mod");
    GoModule.write(mod);
    goCache = root.resolve("gocache");
    env = GoModule.env(root, goCache);
  }

  private Cmd.Result go(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of(Dist.launcher().toString(), "exec", "-v", "--", "go"));
    cmd.addAll(List.of(args));
    return Cmd.run(mod, env, 570, cmd);
  }

  @Test
  @Order(1)
  void s14_goBuildStd_secondRunIsAllHits() throws Exception {
    Cmd.Result cold = go("build", "std").ok();
    assertThat(cold.stat("puts")).isGreaterThan(100);
    assertThat(cold.stat("errors")).isZero();
    Cmd.Result warm = go("build", "std").ok();
    assertThat(warm.stat("gets")).isGreaterThan(100);
    assertThat(warm.stat("hits")).isEqualTo(warm.stat("gets"));
    assertThat(warm.stat("misses")).isZero();
    assertThat(warm.stat("puts")).isZero();
    assertThat(goCache.resolve("progcache/o")).isDirectory();
  }

  @Test
  @Order(2)
  void s14_binary_isByteIdenticalToDefaultCacheBuild() throws Exception {
    go("build", "-o", root.resolve("p1").toString(), ".").ok();
    Cmd.Result second = go("build", "-o", root.resolve("p2").toString(), ".").ok();
    assertThat(second.stat("hits")).isGreaterThan(0);
    Map<String, String> plain = new java.util.HashMap<>(env);
    plain.put("GOCACHE", root.resolve("plain-gocache").toString());
    Cmd.run(
            mod,
            plain,
            570,
            GoTool.go().toString(),
            "build",
            "-o",
            root.resolve("d1").toString(),
            ".")
        .ok();
    byte[] want = Files.readAllBytes(root.resolve("d1"));
    assertThat(root.resolve("p1")).hasBinaryContent(want);
    assertThat(root.resolve("p2")).hasBinaryContent(want);
    Cmd.Result run = Cmd.run(mod, env, 30, root.resolve("p2").toString(), "x", "y").ok();
    assertThat(run.out()).contains("{\"msg\":\"hello x, y\"}");
  }

  @Test
  @Order(3)
  void s14_goTest_isCachedAndCleanTestcacheWorks() throws Exception {
    assertThat(go("test", "./...").ok().out()).contains("ok").doesNotContain("(cached)");
    assertThat(go("test", "./...").ok().out()).contains("(cached)");
    go("clean", "-testcache").ok();
    assertThat(go("test", "./...").ok().out()).contains("ok").doesNotContain("(cached)");
    assertThat(go("test", "./...").ok().out()).contains("(cached)");
  }

  @Test
  @Order(4)
  void s14_buildDashO_ofCachedBinaryTwice_leavesCacheIntact() throws Exception {
    // go run caches the linked binary; go build -o then copies a cached binary out
    go("run", ".", "a").ok();
    Cmd.Result run = go("run", ".", "b").ok();
    assertThat(run.out()).contains("hello b");
    // go run looks up one link key it never stores (go's own cache misses it too): nothing new
    // may be stored, i.e. nothing was compiled or linked
    assertThat(run.stat("bytes-in")).isZero();
    Path out = root.resolve("twice");
    for (int i = 0; i < 2; i++) {
      go("build", "-o", out.toString(), ".").ok();
      assertThat(Cmd.run(mod, env, 30, out.toString(), "z").ok().out()).contains("hello z");
    }
    assertEveryBodyMatchesItsName();
    Cmd.Result again = go("run", ".", "c").ok();
    assertThat(again.out()).contains("hello c");
    assertThat(again.stat("bytes-in")).isZero();
    assertThat(again.stat("hits")).isGreaterThanOrEqualTo(again.stat("gets") - 1);
  }

  @Test
  @Order(5)
  void s14_goVetAndGoList_work() throws Exception {
    go("vet", "./...").ok();
    Cmd.Result list = go("list", "-export", "-f", "{{.ImportPath}} {{.Export}}", "./...").ok();
    assertThat(list.out()).contains("example.com/hello/greet " + goCache.resolve("progcache"));
  }

  private void assertEveryBodyMatchesItsName() throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (Stream<Path> s = Files.walk(goCache.resolve("progcache/o"))) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        String name = p.getFileName().toString();
        assertThat(name).doesNotStartWith(".tmp-");
        assertThat(HexFormat.of().formatHex(md.digest(Files.readAllBytes(p))))
            .as(p.toString())
            .isEqualTo(name);
      }
    }
  }
}
