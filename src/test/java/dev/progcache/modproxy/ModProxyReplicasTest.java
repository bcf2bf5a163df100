package dev.progcache.modproxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.server.CacheServer;
import dev.progcache.server.ServeConfig;
import dev.progcache.testing.S3Proxy;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two servers on one bucket share module files: what one fetched the other serves. */
@Timeout(240)
class ModProxyReplicasTest {
  @TempDir Path tmp;
  private Fixture fx;
  private FakeGoProxy upstream;
  private Path upstreamRoot;
  private S3Proxy s3;

  @BeforeEach
  void setUp() throws Exception {
    fx = new Fixture(tmp);
    upstreamRoot = fx.upstreamRoot;
    upstream = fx.upstream;
    s3 = S3Proxy.start(tmp.resolve("s3"));
    s3.createBucket("mods");
    // the servers run in this JVM: the SDK's default chain reads these first
    System.setProperty("aws.accessKeyId", S3Proxy.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3Proxy.SECRET_KEY);
  }

  @AfterEach
  void tearDown() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    fx.close();
    s3.close();
  }

  private CacheServer replica(String name) throws Exception {
    ServeConfig disk =
        ServeConfig.onDisk("127.0.0.1", 0, tmp.resolve(name), null, Fixture.limits(), false);
    return fx.serve(
        new ServeConfig(
            disk.host(),
            disk.port(),
            disk.dir(),
            null,
            disk.limits(),
            disk.accessLog(),
            s3.location("mods", "team"),
            disk.trust(),
            null,
            Fixture.settings(upstream.url().toString(), Duration.ZERO),
            null));
  }

  @Test
  void fileFetchedThroughOneReplica_isServedByTheOther_withoutAnUpstreamRequest() throws Exception {
    CacheServer a = replica("a");
    CacheServer b = replica("b");
    String zip = "example.com/!upper/!lib/@v/v0.1.0.zip";

    HttpResponse<byte[]> viaA = fx.get(a.url().resolve("mod/" + zip), null);
    int afterA = upstream.requests();
    HttpResponse<byte[]> viaB = fx.get(b.url().resolve("mod/" + zip), null);

    byte[] want = Files.readAllBytes(upstreamRoot.resolve(zip));
    assertThat(viaA.body()).isEqualTo(want);
    assertThat(viaB.statusCode()).isEqualTo(200);
    assertThat(viaB.body()).isEqualTo(want);
    assertThat(upstream.requests()).isEqualTo(afterA).isEqualTo(1);
    assertThat(s3.objects("mods")).contains("team/mod/m/" + zip);
  }

  @Test
  void goWarmedThroughOneReplica_buildsThroughTheOther_withTheUpstreamDown() throws Exception {
    CacheServer a = replica("a");
    CacheServer b = replica("b");
    Path app = ModuleTree.mainModule(tmp.resolve("app"));
    Fixture.go(app, fx.goEnv(a.url().resolve("mod"), tmp.resolve("mc-a")), "mod", "download", "all")
        .ok();
    Fixture.go(
            app,
            fx.goEnv(a.url().resolve("mod"), tmp.resolve("mc-a")),
            "list",
            "-m",
            "-versions",
            "example.com/a")
        .ok();

    upstream.close();
    Path mc = tmp.resolve("mc-b");
    var env = fx.goEnv(b.url().resolve("mod"), mc);
    Fixture.go(app, env, "build", "-o", tmp.resolve("app.bin").toString(), ".").ok();
    var versions = Fixture.go(app, env, "list", "-m", "-versions", "example.com/a").ok();

    assertThat(mc.resolve("cache/download/example.com/old/@v/v2.0.0+incompatible.zip"))
        .hasSameBinaryContentAs(upstreamRoot.resolve("example.com/old/@v/v2.0.0+incompatible.zip"));
    assertThat(versions.out()).contains("example.com/a v1.0.0 v1.1.0");
    assertThat(fx.log()).contains("answer kept before this server started");
  }
}
