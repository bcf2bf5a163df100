package dev.progcache.modproxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.server.CacheServer;
import dev.progcache.testing.Cmd;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Who may use /mod/, what paths it takes, and the checksum database pass-through. */
@Timeout(180)
class ModProxyAccessTest {
  private static final String MODULES = "modules-token-0123456789";
  private static final String READ = "read-token-0123456789";
  private static final String WRITE = "write-token-0123456789";
  @TempDir Path tmp;
  private Fixture fx;
  private FakeGoProxy upstream;
  private Path upstreamRoot;
  private CacheServer server;

  @BeforeEach
  void setUp() throws Exception {
    fx = new Fixture(tmp);
    upstreamRoot = fx.upstreamRoot;
    upstream = fx.upstream;
    Path tokens = tmp.resolve("tokens");
    Files.writeString(
        tokens, MODULES + " modules mods\n" + READ + " read reader\n" + WRITE + " write writer\n");
    server =
        fx.serve(
            "srv", Fixture.settings(upstream.url().toString(), Duration.ofSeconds(60)), tokens);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private URI mod(String path) {
    return server.url().resolve("mod/" + path);
  }

  @Test
  void tokens_withoutOne401_withoutTheGrant403_modulesOrReadGrant200() throws Exception {
    URI info = mod("example.com/a/@v/v1.0.0.info");

    assertThat(fx.get(info, null).statusCode()).isEqualTo(401);
    assertThat(fx.get(info, "unknown-token-0123456789").statusCode()).isEqualTo(401);
    HttpResponse<byte[]> writer = fx.get(info, WRITE);
    assertThat(writer.statusCode()).isEqualTo(403);
    assertThat(new String(writer.body(), StandardCharsets.UTF_8))
        .contains("may not download modules");
    assertThat(upstream.requests()).isZero();
    assertThat(fx.get(info, MODULES).statusCode()).isEqualTo(200);
    assertThat(fx.get(info, READ).statusCode()).isEqualTo(200);
    // the modules grant alone reads no build cache entry
    assertThat(fx.get(server.url().resolve("action/" + "ab".repeat(32)), MODULES).statusCode())
        .isEqualTo(403);
  }

  @Test
  void basicCredentialsWithTheTokenAsPassword_asGoSendsFromNetrc_areAccepted() throws Exception {
    URI info = mod("example.com/a/@v/v1.0.0.info");
    java.util.function.Function<String, Integer> basic =
        pair -> {
          try {
            String v =
                java.util.Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
            return fx.http
                .send(
                    java.net.http.HttpRequest.newBuilder(info)
                        .header("Authorization", "Basic " + v)
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };

    assertThat(basic.apply("ci:" + MODULES)).isEqualTo(200);
    assertThat(basic.apply("ci:" + WRITE)).isEqualTo(403);
    assertThat(basic.apply("ci:wrong-token-0123456789")).isEqualTo(401);
    assertThat(basic.apply(MODULES)).isEqualTo(401);
  }

  @Test
  void goOverHttps_sendsTheTokenFromNetrc_andDownloads() throws Exception {
    try (TlsFront tls = TlsFront.start(tmp, server.url().getPort())) {
      Path app = ModuleTree.mainModule(tmp.resolve("app"));
      Path netrc = tmp.resolve("netrc");
      // go matches netrc machines against host[:port]
      Files.writeString(
          netrc,
          "machine 127.0.0.1:" + tls.url().getPort() + " login ci password " + MODULES + "\n");
      Map<String, String> env = fx.goEnv(tls.url().resolve("mod"), tmp.resolve("mc-tls"));
      env.put("GOAUTH", "netrc");
      env.put("NETRC", netrc.toString());
      env.put("SSL_CERT_FILE", tls.certificate().toString());

      Fixture.go(app, env, "mod", "download", "all").ok();

      assertThat(tmp.resolve("mc-tls/cache/download/example.com/a/@v/v1.1.0.zip"))
          .hasSameBinaryContentAs(upstreamRoot.resolve("example.com/a/@v/v1.1.0.zip"));
    }
  }

  @Test
  void goWithoutAToken_failsAndPrintsTheServersReason() throws Exception {
    Path app = ModuleTree.mainModule(tmp.resolve("app"));
    Map<String, String> anonymous = fx.goEnv(server.url().resolve("mod"), tmp.resolve("mc2"));

    Cmd.Result r = Fixture.go(app, anonymous, "mod", "download", "all");

    assertThat(r.code()).isNotZero();
    assertThat(r.err())
        .contains("401 Unauthorized")
        .contains("server response: missing or unknown token");
  }

  @Test
  void pathsThatAreNotCaseEncodedModulePaths_areRefused_andReachNeitherUpstreamNorDisk()
      throws Exception {
    Files.writeString(tmp.resolve("secret"), "TOP-SECRET-CONTENT\n");
    List<String> bad =
        List.of(
            "example.com/..%2F..%2F..%2Fsecret/@v/list",
            "example.com/%2E%2E/%2E%2E/secret/@v/list",
            "Example.com/a/@v/list",
            "example.com/a/@v/..%2F..%2Fsecret.zip",
            "example.com/a/@v/v1.0.0%00.zip",
            "example.com/a/@v/!!x.zip",
            "example.com/a/@v/v1.0.0.exe",
            "/etc/passwd/@v/list",
            "example.com//a/@v/list",
            "sumdb/../../secret",
            "sumdb/sum.test/tile/../../secret");
    for (String p : bad) {
      HttpResponse<byte[]> r = fx.get(URI.create(server.url() + "mod/" + p), MODULES);
      assertThat(r.statusCode()).as(p).isIn(400, 404);
      assertThat(new String(r.body(), StandardCharsets.UTF_8))
          .as(p)
          .doesNotContain("TOP-SECRET-CONTENT");
    }
    assertThat(upstream.requests()).isZero();
    assertThat(ModProxyGoTest.storedFiles(tmp.resolve("srv")))
        .allMatch(
            f -> !f.startsWith(tmp.resolve("srv/modules")) || f.toString().contains("/modules/t"));
  }

  @Test
  void caseEncodedPath_isStoredUnderItsEncodedName_andServedWithTheRealPathInside()
      throws Exception {
    HttpResponse<byte[]> r = fx.get(mod("example.com/!upper/!lib/@v/v0.1.0.zip"), MODULES);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .isEqualTo(
            Files.readAllBytes(upstreamRoot.resolve("example.com/!upper/!lib/@v/v0.1.0.zip")));
    assertThat(tmp.resolve("srv/modules/m/example.com/!upper/!lib/@v/v0.1.0.zip")).exists();
  }

  @Test
  void missingVersion_passesTheUpstreams404AndItsBody() throws Exception {
    HttpResponse<byte[]> r = fx.get(mod("example.com/a/@v/v9.9.9.info"), MODULES);

    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(new String(r.body(), StandardCharsets.UTF_8))
        .contains("no such module in the test proxy");
  }

  @Test
  void sumdb_passesBytesThroughUnchanged_storesTiles_andAsksALookupOncePerTtl() throws Exception {
    Path db = upstreamRoot.resolve("sumdb/sum.test");
    Files.createDirectories(db.resolve("lookup/example.com"));
    Files.createDirectories(db.resolve("tile/8/0"));
    Files.writeString(db.resolve("supported"), "");
    byte[] lookup =
        "7\nexample.com/a v1.1.0 h1:abc=\nexample.com/a v1.1.0/go.mod h1:def=\n\n— sum.test sig\n"
            .getBytes(StandardCharsets.UTF_8);
    Files.write(db.resolve("lookup/example.com/a@v1.1.0"), lookup);
    byte[] tile = new byte[8192];
    new java.util.Random(7).nextBytes(tile);
    Files.write(db.resolve("tile/8/0/000"), tile);

    assertThat(fx.get(mod("sumdb/sum.test/supported"), MODULES).statusCode()).isEqualTo(200);
    for (int i = 0; i < 2; i++) {
      assertThat(fx.get(mod("sumdb/sum.test/lookup/example.com/a@v1.1.0"), MODULES).body())
          .isEqualTo(lookup);
      assertThat(fx.get(mod("sumdb/sum.test/tile/8/0/000"), MODULES).body()).isEqualTo(tile);
    }
    assertThat(fx.get(mod("sumdb/other.test/supported"), MODULES).statusCode()).isEqualTo(404);

    assertThat(upstream.requests("sumdb/sum.test/lookup/example.com/a@v1.1.0")).isEqualTo(1);
    assertThat(upstream.requests("sumdb/sum.test/tile/8/0/000")).isEqualTo(1);
  }
}
