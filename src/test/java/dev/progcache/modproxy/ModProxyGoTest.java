package dev.progcache.modproxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.server.CacheServer;
import dev.progcache.testing.Cmd;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real go downloading and building through {@code serve --modproxy}, with a test upstream. */
@Timeout(240)
class ModProxyGoTest {
  @TempDir Path tmp;
  private Fixture fx;
  private FakeGoProxy upstream;
  private Path upstreamRoot;

  @BeforeEach
  void setUp() throws Exception {
    fx = new Fixture(tmp);
    upstreamRoot = fx.upstreamRoot;
    upstream = fx.upstream;
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private URI modURL(CacheServer s) {
    return s.url().resolve("mod");
  }

  @Test
  void downloadAndBuild_freshModCache_everyFileByteIdenticalToUpstream() throws Exception {
    CacheServer s =
        fx.serve("srv", Fixture.settings(upstream.url().toString(), Duration.ofSeconds(60)), null);
    Path app = ModuleTree.mainModule(tmp.resolve("app"));
    Path modCache = tmp.resolve("modcache1");
    Map<String, String> env = fx.goEnv(modURL(s), modCache);

    Fixture.go(app, env, "mod", "download", "all").ok();
    Cmd.Result b = Fixture.go(app, env, "build", "-o", tmp.resolve("app.bin").toString(), ".").ok();
    Cmd.Result run = Cmd.run(app, Map.of(), 30, List.of(tmp.resolve("app.bin").toString())).ok();

    assertThat(run.err())
        .contains(
            "example.com/a v1.1.0",
            "example.com/Upper/Lib v0.1.0",
            "example.com/old v2.0.0+incompatible");
    Path downloads = modCache.resolve("cache/download");
    for (String f :
        List.of(
            "example.com/a/@v/v1.1.0.zip",
            "example.com/a/@v/v1.1.0.mod",
            "example.com/!upper/!lib/@v/v0.1.0.zip",
            "example.com/!upper/!lib/@v/v0.1.0.mod",
            "example.com/old/@v/v2.0.0+incompatible.zip",
            "example.com/old/@v/v2.0.0+incompatible.mod")) {
      assertThat(downloads.resolve(f)).as(f).hasSameBinaryContentAs(upstreamRoot.resolve(f));
    }
    // go rewrites .info files in its cache; what the server sends must still be the upstream's
    // bytes
    for (String f :
        List.of(
            "example.com/a/@v/v1.1.0.info",
            "example.com/old/@v/v2.0.0+incompatible.info",
            "example.com/a/@v/list",
            "example.com/!upper/!lib/@latest")) {
      assertThat(fx.get(modURL(s).resolve("mod/" + f), null).body())
          .as(f)
          .isEqualTo(Files.readAllBytes(upstreamRoot.resolve(f)));
    }
    assertThat(b.code()).isZero();
    assertThat(upstream.requests("example.com/a/@v/v1.1.0.zip")).isEqualTo(1);
  }

  @Test
  void upstreamStopped_afterWarmUp_secondFreshModCacheStillBuilds_andListIsServedStale()
      throws Exception {
    CacheServer s =
        fx.serve("srv", Fixture.settings(upstream.url().toString(), Duration.ZERO), null);
    Path app = ModuleTree.mainModule(tmp.resolve("app"));
    Fixture.go(app, fx.goEnv(modURL(s), tmp.resolve("warm")), "mod", "download", "all").ok();
    assertThat(fx.get(modURL(s).resolve("mod/example.com/a/@v/list"), null).statusCode())
        .isEqualTo(200);

    upstream.close();
    Map<String, String> env = fx.goEnv(modURL(s), tmp.resolve("cold"));
    Fixture.go(app, env, "build", "-o", tmp.resolve("app.bin").toString(), ".").ok();
    HttpResponse<byte[]> list = fx.get(modURL(s).resolve("mod/example.com/a/@v/list"), null);

    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body())
        .isEqualTo(Files.readAllBytes(upstreamRoot.resolve("example.com/a/@v/list")));
    assertThat(fx.log()).contains("serving the example.com/a/@v/list answer kept");
    Cmd.Result versions = Fixture.go(app, env, "list", "-m", "-versions", "example.com/a").ok();
    assertThat(versions.out()).contains("example.com/a v1.0.0 v1.1.0");
  }

  @Test
  void badUpstreamAnswers_storeNothing_goPrintsTheError_andTheNextRequestRetries()
      throws Exception {
    CacheServer s =
        fx.serve("srv", Fixture.settings(upstream.url().toString(), Duration.ofSeconds(60)), null);
    Path app = ModuleTree.mainModule(tmp.resolve("app"));
    String zip = "example.com/a/@v/v1.1.0.zip";
    byte[] escaping = ModuleTree.zip("example.com/evil@v1.1.0/", Map.of("a.go", "package a\n"));
    record Case(String name, Runnable breakIt, String goSays) {}
    List<Case> cases =
        List.of(
            new Case("500", () -> upstream.fault(zip, FakeGoProxy.Fault.FAIL_500), "HTTP 500"),
            new Case(
                "truncated",
                () -> upstream.fault(zip, FakeGoProxy.Fault.TRUNCATE),
                "cannot read example.com/a/@v/v1.1.0.zip from"),
            new Case(
                "outside",
                () -> upstream.override(zip, escaping),
                "is not under example.com/a@v1.1.0/"),
            new Case(
                "hang",
                () -> upstream.fault(zip, FakeGoProxy.Fault.HANG),
                "nothing arrived for 2000 ms"));
    int n = 0;
    for (Case c : cases) {
      c.breakIt().run();
      int before = upstream.requests(zip);
      Cmd.Result r =
          Fixture.go(
              app,
              fx.goEnv(modURL(s), tmp.resolve("mc-" + (n++))),
              "mod",
              "download",
              "example.com/a");
      assertThat(r.code()).as(c.name()).isNotZero();
      assertThat(r.err()).as(c.name()).contains("502 Bad Gateway").contains(c.goSays());
      assertThat(upstream.requests(zip)).as(c.name()).isGreaterThan(before);
      assertThat(storedFiles(tmp.resolve("srv")))
          .as(c.name())
          .noneMatch(p -> p.endsWith("v1.1.0.zip"));
      upstream.heal();
    }

    int before = upstream.requests(zip);
    Path mc = tmp.resolve("mc-healed");
    Fixture.go(app, fx.goEnv(modURL(s), mc), "mod", "download", "example.com/a").ok();

    assertThat(upstream.requests(zip)).isEqualTo(before + 1);
    assertThat(mc.resolve("cache/download/" + zip))
        .hasSameBinaryContentAs(upstreamRoot.resolve(zip));
    assertThat(storedFiles(tmp.resolve("srv"))).anyMatch(p -> p.endsWith("v1.1.0.zip"));
  }

  @Test
  void concurrentFirstRequests_forOneFile_makeOneUpstreamFetch() throws Exception {
    upstream.delay(300);
    CacheServer s =
        fx.serve("srv", Fixture.settings(upstream.url().toString(), Duration.ofSeconds(60)), null);
    URI zip = modURL(s).resolve("mod/example.com/!upper/!lib/@v/v0.1.0.zip");
    List<Thread> threads = new java.util.ArrayList<>();
    List<byte[]> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int i = 0; i < 8; i++) {
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      HttpResponse<byte[]> r = fx.get(zip, null);
                      if (r.statusCode() == 200) {
                        bodies.add(r.body());
                      }
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }

    byte[] want = Files.readAllBytes(upstreamRoot.resolve("example.com/!upper/!lib/@v/v0.1.0.zip"));
    assertThat(bodies).hasSize(8).allSatisfy(b -> assertThat(b).isEqualTo(want));
    assertThat(upstream.requests("example.com/!upper/!lib/@v/v0.1.0.zip")).isEqualTo(1);
  }

  /** Every file the server stores under its directory. */
  static List<Path> storedFiles(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }
}
