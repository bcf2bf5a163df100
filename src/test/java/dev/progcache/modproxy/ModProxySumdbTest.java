package dev.progcache.modproxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.server.CacheServer;
import dev.progcache.testing.Cmd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real go verifying modules against a real signed checksum database ({@link SignedSumdb})
 * through {@code serve --modproxy}: go finds the database through the server ({@code
 * /mod/sumdb/<name>/supported}), looks modules up and reads tiles through it, and fails when the
 * database and the files disagree.
 */
@Timeout(240)
class ModProxySumdbTest {
  private static final String NAME = "sum.progcache.test";
  private static final List<List<String>> STANDARD =
      List.of(
          List.of("example.com/a", "v1.0.0"),
          List.of("example.com/a", "v1.1.0"),
          List.of("example.com/Upper/Lib", "v0.1.0"),
          List.of("example.com/old", "v1.0.0"),
          List.of("example.com/old", "v2.0.0+incompatible"));
  private static final String TILE = "tile/8/0/000.p/5";

  @TempDir Path tmp;
  private Fixture fx;
  private SignedSumdb db;
  private CacheServer server;

  @BeforeEach
  void setUp() throws Exception {
    fx = new Fixture(tmp);
    db = SignedSumdb.start(NAME);
    fx.upstream.sumdb(NAME, db.url());
    server =
        fx.serve(
            "srv", Fixture.settings(fx.upstream.url().toString(), Duration.ofSeconds(60)), null);
  }

  @AfterEach
  void tearDown() {
    fx.close();
    db.close();
  }

  @Test
  void download_freshModCache_verifiesEveryModuleAgainstTheSignedDatabase_throughTheServer()
      throws Exception {
    addStandard(db);
    Path app = app("app");

    downloadAll(server, app, "mc1").ok();
    Fixture.go(app, env(tmp.resolve("mc1"), db.verifierKey()), "build", "-o", "app.bin", ".").ok();

    String sums = Files.readString(app.resolve("go.sum"));
    for (List<String> m : List.of(STANDARD.get(1), STANDARD.get(2), STANDARD.get(4))) {
      assertThat(sums).contains(m.get(0) + " " + m.get(1) + " " + zipHash(m) + "\n");
    }
    assertThat(db.requests())
        .contains(
            "/lookup/example.com/a@v1.1.0",
            "/lookup/example.com/!upper/!lib@v0.1.0",
            "/lookup/example.com/old@v2.0.0+incompatible",
            "/" + TILE);
    assertThat(fx.upstream.requests("sumdb/" + NAME + "/supported")).isEqualTo(1);
    assertThat(sumdbRequests()).isGreaterThanOrEqualTo(5); // supported, 3 lookups, the tile
    // the tree head go accepted is the database's signed note
    Path latest = tmp.resolve("go-1/gopath/pkg/sumdb/" + NAME + "/latest");
    assertThat(Files.readString(latest)).startsWith("go.sum database tree\n5\n");
  }

  @Test
  void secondFreshModCache_withinTheTtl_getsLookupsAndTheTileFromTheServerAlone() throws Exception {
    addStandard(db);
    downloadAll(server, app("app1"), "mc1").ok();
    int lookups = count(db.requests(), "/lookup/");

    downloadAll(server, app("app2"), "mc2").ok();

    assertThat(lookups).isEqualTo(3);
    assertThat(count(db.requests(), "/lookup/")).isEqualTo(lookups);
    assertThat(count(db.requests(), "/" + TILE)).isEqualTo(1);
    assertThat(tmp.resolve("mc2/cache/download/sumdb/" + NAME + "/" + TILE))
        .hasSameBinaryContentAs(tmp.resolve("mc1/cache/download/sumdb/" + NAME + "/" + TILE));
  }

  @Test
  void databaseListingAnotherHash_goFailsWithItsSecurityError_andKeepsNoGoSumLine()
      throws Exception {
    for (List<String> m : STANDARD) {
      if (m.get(1).equals("v1.1.0")) {
        byte[] other = ModuleTree.zip("example.com/a@v1.1.0/", Map.of("a.go", "package a\n"));
        db.add(m.get(0), m.get(1), GoSum.zipHash(other), GoSum.modHash(file(m, ".mod")));
      } else {
        db.add(m.get(0), m.get(1), file(m, ".zip"), file(m, ".mod"));
      }
    }
    Path app = app("app");

    downloadFailsWithGosSecurityError(app);

    assertThat(db.requests()).contains("/lookup/example.com/a@v1.1.0");
    assertThat(goSum(app)).doesNotContain("example.com/a v1.1.0 h1:");
  }

  @Test
  void proxyServingATamperedZip_goFailsWithItsSecurityError_theServerDoesNotHideIt()
      throws Exception {
    addStandard(db);
    byte[] tampered =
        ModuleTree.zip("example.com/a@v1.1.0/", Map.of("a.go", "package a\n\nvar Evil = 1\n"));
    fx.upstream.override("example.com/a/@v/v1.1.0.zip", tampered);
    Cmd.Result r = downloadFailsWithGosSecurityError(app("app"));

    assertThat(r.err())
        .contains("downloaded: " + GoSum.zipHash(tampered))
        .contains(NAME + ": " + zipHash(STANDARD.get(1)));
    assertThat(tmp.resolve("mc/example.com/a@v1.1.0")).doesNotExist();
  }

  @Test
  void databaseSignedWithAnotherKey_goRefusesItsTreeNote() throws Exception {
    addStandard(db);
    try (SignedSumdb impostor = SignedSumdb.start(NAME)) {
      Path app = app("app");

      Cmd.Result r =
          Fixture.go(app, env(tmp.resolve("mc"), impostor.verifierKey()), "mod", "download", "all");

      assertThat(r.code()).isNotZero();
      assertThat(r.err()).contains("reading tree note").contains("no verifiable signatures");
      assertThat(db.requests()).anyMatch(p -> p.startsWith("/lookup/")); // the real note, refused
    }
  }

  @Test
  void upstreamDown_afterWarmUp_goSumVerifiesAFreshModCache_withoutAnyDatabaseRequest()
      throws Exception {
    addStandard(db);
    Path app = app("app");
    downloadAll(server, app, "warm").ok();
    db.close();
    fx.upstream.close();
    long before = sumdbRequests();

    Fixture.go(app, env(tmp.resolve("cold"), db.verifierKey()), "build", "-o", "app.bin", ".").ok();

    assertThat(sumdbRequests()).isEqualTo(before);
  }

  @Test
  void upstreamDown_afterWarmUp_keptLookupsAndStoredTiles_verifyAFreshModCacheWithoutGoSum()
      throws Exception {
    addStandard(db);
    CacheServer s =
        fx.serve("srv-ttl0", Fixture.settings(fx.upstream.url().toString(), Duration.ZERO), null);
    downloadAll(s, app("warm-app"), "warm").ok();
    for (String f : List.of("info", "mod", "zip")) { // a module stored, but never looked up
      assertThat(fx.get(s.url().resolve("mod/example.com/old/@v/v1.0.0." + f), null).statusCode())
          .isEqualTo(200);
    }
    db.close();
    fx.upstream.close();
    Path app = app("app");

    downloadAll(s, app, "cold").ok();
    Cmd.Result never =
        Fixture.go(
            app, goEnv(s, tmp.resolve("cold2")), "mod", "download", "example.com/old@v1.0.0");

    assertThat(Files.readString(app.resolve("go.sum")))
        .contains("example.com/a v1.1.0 " + zipHash(STANDARD.get(1)) + "\n");
    assertThat(fx.log())
        .contains("serving the sumdb/" + NAME + "/lookup/example.com/a@v1.1.0 answer kept")
        .contains("serving the sumdb/" + NAME + "/supported answer kept");
    assertThat(tmp.resolve("cold/cache/download/sumdb/" + NAME + "/" + TILE))
        .hasSameBinaryContentAs(tmp.resolve("warm/cache/download/sumdb/" + NAME + "/" + TILE));
    assertThat(never.code()).isNotZero();
    assertThat(never.err())
        .contains("/mod/sumdb/" + NAME + "/lookup/example.com/old@v1.0.0: 502 Bad Gateway")
        .contains("cannot read sumdb/" + NAME + "/lookup/example.com/old@v1.0.0 from");
  }

  @Test
  void serverRestarted_whileTheUpstreamIsDown_verifiesFromTheLookupsAndTilesKeptOnDisk()
      throws Exception {
    addStandard(db);
    CacheServer first =
        fx.serve("srv-r", Fixture.settings(fx.upstream.url().toString(), Duration.ZERO), null);
    downloadAll(first, app("warm-app"), "warm").ok();
    first.close();
    db.close();
    fx.upstream.close();
    CacheServer second =
        fx.serve("srv-r", Fixture.settings(fx.upstream.url().toString(), Duration.ZERO), null);
    Path app = app("app");

    downloadAll(second, app, "cold").ok();

    assertThat(Files.readString(app.resolve("go.sum")))
        .contains("example.com/Upper/Lib v0.1.0 " + zipHash(STANDARD.get(2)) + "\n");
    assertThat(fx.log())
        .contains(
            "serving the sumdb/"
                + NAME
                + "/lookup/example.com/!upper/!lib@v0.1.0 answer kept before this server started");
  }

  @Test
  void upstreamServingABadTile_storesNothing_goFails_andTheNextRunFetchesItAgain()
      throws Exception {
    addStandard(db);
    String tilePath = "sumdb/" + NAME + "/" + TILE;
    fx.upstream.override(tilePath, "<html>try again later</html>".getBytes(StandardCharsets.UTF_8));

    Cmd.Result bad = downloadAll(server, app("app1"), "mc1");
    fx.upstream.heal();
    downloadAll(server, app("app2"), "mc2").ok();

    assertThat(bad.code()).isNotZero();
    assertThat(bad.err())
        .contains(TILE + ": 502 Bad Gateway")
        .contains("has 28 bytes, not the 160 of 5 hashes");
    assertThat(count(db.requests(), "/" + TILE)).isEqualTo(1);
    assertThat(fx.upstream.requests(tilePath)).isEqualTo(2);
  }

  private Path app(String name) throws Exception {
    return ModuleTree.mainModule(tmp.resolve(name));
  }

  /** {@code go mod download all} in {@code app} through {@code s}, into a fresh module cache. */
  private Cmd.Result downloadAll(CacheServer s, Path app, String modCache) throws Exception {
    return Fixture.go(
        app, env(s, tmp.resolve(modCache), db.verifierKey()), "mod", "download", "all");
  }

  /** Runs {@code go mod download all} in {@code app}; asserts go stops at example.com/a@v1.1.0. */
  private Cmd.Result downloadFailsWithGosSecurityError(Path app) throws Exception {
    Cmd.Result r = downloadAll(server, app, "mc");
    assertThat(r.code()).isNotZero();
    assertThat(r.err())
        .contains("example.com/a@v1.1.0: verifying module: checksum mismatch")
        .contains("SECURITY ERROR")
        .contains("does NOT match the one reported by the checksum server");
    return r;
  }

  /** A go environment with GOPROXY at the server and GOSUMDB the database with {@code key}. */
  private Map<String, String> env(Path modCache, String key) {
    return env(server, modCache, key);
  }

  private Map<String, String> goEnv(CacheServer s, Path modCache) {
    return env(s, modCache, db.verifierKey());
  }

  private Map<String, String> env(CacheServer s, Path modCache, String key) {
    Map<String, String> env = fx.goEnv(s.url().resolve("mod"), modCache);
    env.put("GOSUMDB", key);
    env.remove("GONOSUMCHECK");
    env.remove("GONOSUMDB");
    env.remove("GOPRIVATE");
    return env;
  }

  private void addStandard(SignedSumdb d) throws Exception {
    for (List<String> m : STANDARD) {
      d.add(m.get(0), m.get(1), file(m, ".zip"), file(m, ".mod"));
    }
  }

  private byte[] file(List<String> m, String ext) throws Exception {
    return Files.readAllBytes(
        fx.upstreamRoot
            .resolve(ModuleTree.escape(m.get(0)))
            .resolve("@v")
            .resolve(ModuleTree.escape(m.get(1)) + ext));
  }

  private String zipHash(List<String> m) throws Exception {
    return GoSum.zipHash(file(m, ".zip"));
  }

  private static String goSum(Path app) throws Exception {
    Path f = app.resolve("go.sum");
    return Files.exists(f) ? Files.readString(f) : "";
  }

  private static int count(List<String> requests, String prefix) {
    return (int) requests.stream().filter(p -> p.startsWith(prefix)).count();
  }

  /** The server's count of checksum database requests, from its metrics. */
  private long sumdbRequests() throws Exception {
    String metrics =
        new String(fx.get(server.url().resolve("metrics"), null).body(), StandardCharsets.UTF_8);
    Matcher m =
        Pattern.compile("progcache_module_requests_total\\{outcome=\"sumdb\"} ([0-9.e+E]+)")
            .matcher(metrics);
    assertThat(m.find()).as("sumdb count in\n" + metrics).isTrue();
    return (long) Double.parseDouble(m.group(1));
  }
}
