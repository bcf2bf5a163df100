package dev.progcache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.modproxy.FakeGoProxy;
import dev.progcache.modproxy.ModProxySettings;
import dev.progcache.modproxy.ModuleTree;
import dev.progcache.testing.TextLog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --modproxy}: its flags, the edge mode, the size limit, metrics and status. */
@Timeout(120)
class ModuleRoutesTest {
  @TempDir Path tmp;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final TextLog err = new TextLog();
  private FakeGoProxy upstream;
  private Path upstreamRoot;

  @BeforeEach
  void setUp() throws Exception {
    upstreamRoot = tmp.resolve("upstream");
    ModuleTree.standard(upstreamRoot);
    upstream = FakeGoProxy.start(upstreamRoot);
    open.add(upstream);
  }

  @AfterEach
  void stop() throws Exception {
    http.shutdownNow();
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
  }

  private static ServeConfig parse(String... args) throws ServeException {
    return ServeConfig.parse(List.of(args), Map.of());
  }

  private CacheServer server(String name, Map<String, String> env, String... args)
      throws Exception {
    List<String> a =
        new ArrayList<>(
            List.of(
                "--listen",
                "127.0.0.1:0",
                "--dir",
                tmp.resolve(name).toString(),
                "--no-access-log"));
    a.addAll(List.of(args));
    CacheServer s = CacheServer.start(ServeConfig.parse(a, env), err);
    open.add(s);
    return s;
  }

  private HttpResponse<String> get(URI u, @Nullable String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(u);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void flags_modproxyAloneMeansTheDefault_aValueIsTheUpstreamList_andBadValuesAreExplained()
      throws Exception {
    assertThat(parse().modules()).isNull();
    assertThat(parse("--modproxy").modules().upstreams()).isNull();
    assertThat(parse("--modproxy", "--listen", "127.0.0.1:0").modules().upstreams()).isNull();
    ModProxySettings m =
        parse(
                "--modproxy",
                "http://a.test/p|http://b.test",
                "--max-module-size",
                "1K",
                "--modproxy-list-ttl",
                "5s")
            .modules();
    assertThat(m.upstreams()).isEqualTo("http://a.test/p|http://b.test");
    assertThat(m.maxModuleSize()).isEqualTo(1024);
    assertThat(m.listTtl()).hasSeconds(5);
    assertThat(parse("--modproxy=default").modules().upstreams()).isNull();

    assertThatThrownBy(() -> parse("--modproxy=direct")).hasMessageContaining("names no proxy URL");
    assertThatThrownBy(() -> parse("--modproxy=ftp://x"))
        .hasMessageContaining("must look like http://host:port");
    assertThatThrownBy(() -> parse("--modproxy-netrc", "/x"))
        .hasMessageContaining("need --modproxy");
  }

  @Test
  void edge_withModproxyAlone_readsModulesThroughTheCentralServer_withItsToken() throws Exception {
    Path tokens = tmp.resolve("tokens");
    Files.writeString(tokens, "edge-token-0123456789 modules edge\n");
    CacheServer central =
        server(
            "central",
            Map.of(),
            "--tokens",
            tokens.toString(),
            "--modproxy",
            upstream.url().toString());
    CacheServer edge =
        server(
            "edge",
            Map.of("PROGCACHE_SERVE_UPSTREAM_TOKEN", "edge-token-0123456789"),
            "--upstream",
            central.url().toString(),
            "--modproxy");
    String zip = "example.com/a/@v/v1.0.0.zip";

    long t0 = System.nanoTime();
    HttpResponse<byte[]> first =
        http.send(
            HttpRequest.newBuilder(edge.url().resolve("mod/" + zip)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> second =
        http.send(
            HttpRequest.newBuilder(edge.url().resolve("mod/" + zip)).build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(second.body()).isEqualTo(Files.readAllBytes(upstreamRoot.resolve(zip)));
    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms for both requests").isLessThan(5_000);
    assertThat(upstream.requests(zip)).isEqualTo(1);
    assertThat(err.text())
        .contains("module proxy at /mod/: modules from [" + central.url() + "mod/]");
  }

  @Test
  void maxModuleSize_refusesALargerZip_with502_andStoresNothing() throws Exception {
    CacheServer s =
        server(
            "srv", Map.of(), "--modproxy", upstream.url().toString(), "--max-module-size", "100");

    HttpResponse<String> r = get(s.url().resolve("mod/example.com/a/@v/v1.0.0.zip"), null);

    assertThat(r.statusCode()).isEqualTo(502);
    assertThat(r.body()).contains("over the limit of 100 bytes (--max-module-size)");
    assertThat(tmp.resolve("srv/modules/m/example.com/a/@v/v1.0.0.zip")).doesNotExist();
  }

  @Test
  void metricsAndStatus_countModuleHitsMissesAndBytes() throws Exception {
    CacheServer s = server("srv", Map.of(), "--modproxy", upstream.url().toString());
    URI zip = s.url().resolve("mod/example.com/a/@v/v1.0.0.zip");
    get(zip, null);
    get(zip, null);
    get(s.url().resolve("mod/example.com/a/@v/list"), null);

    String metrics = get(s.url().resolve("metrics"), null).body();
    String json = get(s.url().resolve("status.json"), null).body();
    String html = get(s.url(), null).body();

    assertThat(metrics)
        .contains("progcache_module_requests_total{outcome=\"hit\"} 1.0")
        .contains("progcache_module_requests_total{outcome=\"miss\"} 1.0")
        .contains("progcache_module_requests_total{outcome=\"list_refresh\"} 1.0")
        .containsPattern("progcache_module_bytes_total\\{direction=\"served\"\\} [1-9]");
    assertThat(json).contains("\"modules\":{").contains("\"hits\":1").contains("\"misses\":2");
    assertThat(html).contains("<h2>Module proxy").contains("id=\"modules\"");
  }

  @Test
  void modproxyRate_flagEnvironmentAndFile_andBadValuesAreExplained() throws Exception {
    assertThat(parse("--modproxy").modules().ratePerToken()).isZero();
    assertThat(parse("--modproxy", "--modproxy-rate", "50").modules().ratePerToken()).isEqualTo(50);
    assertThat(
            ServeConfig.parse(List.of("--modproxy"), Map.of("PROGCACHE_SERVE_MODPROXY_RATE", "20"))
                .modules()
                .ratePerToken())
        .isEqualTo(20);
    assertThat(
            ServeConfig.parse(
                    List.of("--modproxy"),
                    Map.of(),
                    Map.of("modproxy-rate", Map.entry("7", "config.toml:3")))
                .modules()
                .ratePerToken())
        .isEqualTo(7);
    assertThatThrownBy(() -> parse("--modproxy", "--modproxy-rate", "fast"))
        .hasMessageContaining("--modproxy-rate: bad value \"fast\"")
        .hasMessageContaining("requests per second");
    assertThatThrownBy(() -> parse("--modproxy-rate", "5"))
        .hasMessageContaining("needs --modproxy");
  }
}
