package dev.progcache.server;

import static dev.progcache.testing.Hashes.sha;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.server.auth.Tokens;
import dev.progcache.testing.FaultServer;
import dev.progcache.testing.TextLog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** An edge server ({@code --upstream}) in front of a central one, both real servers on loopback. */
@Timeout(60)
class EdgeServerTest {
  @TempDir Path tmp;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final TextLog err = new TextLog();

  @AfterEach
  void stop() throws Exception {
    http.shutdownNow();
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
  }

  private CacheServer server(
      String name, @Nullable Path tokens, Map<String, String> env, String... args)
      throws Exception {
    List<String> a =
        new ArrayList<>(
            List.of(
                "--listen",
                "127.0.0.1:0",
                "--dir",
                tmp.resolve(name).toString(),
                "--metrics-listen",
                "0"));
    if (tokens != null) {
      a.addAll(List.of("--tokens", tokens.toString()));
    }
    a.addAll(List.of(args));
    CacheServer s = CacheServer.start(ServeConfig.parse(a, env), err);
    open.add(s);
    return s;
  }

  private CacheServer edge(URI upstream, String... args) throws Exception {
    List<String> a =
        new ArrayList<>(List.of("--upstream", upstream.toString(), "--upstream-drain", "10s"));
    a.addAll(List.of(args));
    return server("edge", null, Map.of(), a.toArray(String[]::new));
  }

  private int put(URI base, String action, byte[] body, @Nullable String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(action + "/" + sha(body)))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private HttpResponse<byte[]> get(URI base, String action, @Nullable String token)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve("action/" + action)).header("Want-Object", "1");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The value of {@code progcache_upstream_requests{outcome="..."}} on {@code s}. */
  private long upstream(CacheServer s, String outcome) throws Exception {
    String m =
        http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + s.metricsPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Matcher x =
        Pattern.compile(
                "progcache_upstream_requests_total\\{outcome=\"" + outcome + "\",?\\} ([0-9.E]+)")
            .matcher(m);
    assertThat(x.find()).as("metric %s in:\n%s", outcome, m).isTrue();
    return (long) Double.parseDouble(x.group(1));
  }

  @Test
  void missAtEdge_readsThroughCentral_keepsCopy_servedAfterCentralStops() throws Exception {
    CacheServer central = server("central", null, Map.of());
    byte[] body = "built once, centrally".getBytes(StandardCharsets.UTF_8);
    String action = sha("action 1".getBytes(StandardCharsets.UTF_8));
    assertThat(put(central.url(), action, body, null)).isEqualTo(204);
    CacheServer edge = edge(central.url());

    HttpResponse<byte[]> first = get(edge.url(), action, null);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).isEqualTo(body);
    assertThat(first.headers().firstValue("Go-Output-Id")).contains(sha(body));
    assertThat(upstream(edge, "hit")).isEqualTo(1);

    central.close();
    HttpResponse<byte[]> again = get(edge.url(), action, null);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.body()).isEqualTo(body);
    assertThat(upstream(edge, "hit")).as("answered from the edge's own copy").isEqualTo(1);
    // a miss with the central server down is a plain 404, not an error
    String unknown = sha("never built".getBytes(StandardCharsets.UTF_8));
    assertThat(get(edge.url(), unknown, null).statusCode()).isEqualTo(404);
    assertThat(upstream(edge, "error")).isPositive();
  }

  @Test
  void putToEdge_isAcknowledgedAfterLocalWrite_andForwardedToCentral() throws Exception {
    CacheServer central = server("central", null, Map.of());
    CacheServer edge = edge(central.url());
    byte[] body = "built at the edge".getBytes(StandardCharsets.UTF_8);
    String action = sha("action 2".getBytes(StandardCharsets.UTF_8));
    assertThat(put(edge.url(), action, body, null)).isEqualTo(204);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (get(central.url(), action, null).statusCode() != 200) {
      assertThat(System.nanoTime() - deadline).as("forwarded within 20 s").isNegative();
      Thread.sleep(50);
    }
    assertThat(get(central.url(), action, null).body()).isEqualTo(body);
    // the edge counts the forward once it has read the central's answer, a moment after the store
    while (upstream(edge, "upload") == 0) {
      assertThat(System.nanoTime() - deadline).as("forward counted within 20 s").isNegative();
      Thread.sleep(50);
    }
    assertThat(upstream(edge, "upload")).isEqualTo(1);
  }

  @Test
  void putToEdge_withCentralDown_stillSucceeds_andIsServedByTheEdge() throws Exception {
    CacheServer central = server("central", null, Map.of());
    URI gone = central.url();
    central.close();
    CacheServer edge = edge(gone);
    byte[] body = "no central today".getBytes(StandardCharsets.UTF_8);
    String action = sha("action 3".getBytes(StandardCharsets.UTF_8));
    assertThat(put(edge.url(), action, body, null)).isEqualTo(204);
    assertThat(get(edge.url(), action, null).body()).isEqualTo(body);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (upstream(edge, "upload_error") == 0) {
      assertThat(System.nanoTime() - deadline).as("upload error counted within 20 s").isNegative();
      Thread.sleep(50);
    }
  }

  @Test
  void corruptUpstreamAnswer_isAMiss_isCounted_andIsNotStored() throws Exception {
    try (FaultServer central = FaultServer.start("127.0.0.1")) {
      byte[] body = "the true bytes of an output".getBytes(StandardCharsets.UTF_8);
      String action = sha("action 4".getBytes(StandardCharsets.UTF_8));
      assertThat(put(URI.create(central.url() + "/"), action, body, null)).isEqualTo(204);
      central.mode(FaultServer.Mode.WRONG_BYTES);
      CacheServer edge = edge(central.url());

      assertThat(get(edge.url(), action, null).statusCode()).isEqualTo(404);
      assertThat(upstream(edge, "corrupt")).isEqualTo(1);
      assertThat(upstream(edge, "hit")).isZero();
      central.mode(FaultServer.Mode.ERROR_500);
      assertThat(get(edge.url(), action, null).statusCode())
          .as("nothing was kept at the edge")
          .isEqualTo(404);
      String output = sha(body);
      try (var files = Files.walk(tmp.resolve("edge"))) {
        assertThat(files.filter(Files::isRegularFile).map(Path::getFileName).map(Path::toString))
            .noneMatch(n -> n.equals(output));
      }
    }
  }

  private static String hashed(String token) {
    return "sha256:" + HexFormat.of().formatHex(Tokens.sha256(token));
  }

  @Test
  void namespaces_forwardWithTheEdgesToken_andAPrWriteNeverReachesCentralMain() throws Exception {
    Path centralTokens = tmp.resolve("central-tokens");
    Files.writeString(
        centralTokens, hashed("edge-token-0123456789abc") + " read,write name=edge\n");
    CacheServer central = server("central", centralTokens, Map.of());
    Path edgeTokens = tmp.resolve("edge-tokens");
    Files.writeString(
        edgeTokens,
        hashed("main-token-0123456789abc")
            + " read,write name=ci\n"
            + hashed("pr-token-0123456789abcde")
            + " read,write ns=pr-1 reads=main name=pr-1\n");
    Path tokenFile = tmp.resolve("upstream-token");
    Files.writeString(tokenFile, "edge-token-0123456789abc\n");
    CacheServer edge =
        server(
            "edge",
            edgeTokens,
            Map.of(),
            "--upstream",
            central.url().toString(),
            "--upstream-token-file",
            tokenFile.toString(),
            "--upstream-drain",
            "10s");

    byte[] trusted = "from main".getBytes(StandardCharsets.UTF_8);
    String a1 = sha("main action".getBytes(StandardCharsets.UTF_8));
    assertThat(put(central.url(), a1, trusted, "edge-token-0123456789abc")).isEqualTo(204);
    // a pr-1 read searches pr-1 then main: upstream pr-1 is refused to the edge's token, main hits
    URI pr = edge.url().resolve("ns/pr-1/");
    assertThat(get(pr, a1, "pr-token-0123456789abcde").body()).isEqualTo(trusted);

    byte[] untrusted = "from a pull request".getBytes(StandardCharsets.UTF_8);
    String a2 = sha("pr action".getBytes(StandardCharsets.UTF_8));
    assertThat(put(pr, a2, untrusted, "pr-token-0123456789abcde")).isEqualTo(204);
    byte[] mainBody = "from main at the edge".getBytes(StandardCharsets.UTF_8);
    String a3 = sha("edge main action".getBytes(StandardCharsets.UTF_8));
    assertThat(put(edge.url(), a3, mainBody, "main-token-0123456789abc")).isEqualTo(204);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (get(central.url(), a3, "edge-token-0123456789abc").statusCode() != 200) {
      assertThat(System.nanoTime() - deadline).as("main forwarded within 20 s").isNegative();
      Thread.sleep(50);
    }
    while (upstream(edge, "upload_rejected") == 0) {
      assertThat(System.nanoTime() - deadline).as("pr-1 forward refused within 20 s").isNegative();
      Thread.sleep(50);
    }
    assertThat(get(central.url(), a2, "edge-token-0123456789abc").statusCode())
        .as("a pull request's write never lands in central main")
        .isEqualTo(404);
    assertThat(err.text()).doesNotContain("edge-token-0123456789abc", "pr-token-", "main-token-");
  }

  @Test
  void config_rejectsBadUpstreamSettings_withClearMessages() throws Exception {
    String dir = tmp.resolve("x").toString();
    assertThatThrownBy(
            () -> ServeConfig.parse(List.of("--dir", dir, "--upstream", "ftp://central"), Map.of()))
        .hasMessageContaining(
            "--upstream / PROGCACHE_SERVE_UPSTREAM must look like http://host:port");
    assertThatThrownBy(
            () ->
                ServeConfig.parse(
                    List.of("--dir", dir, "--upstream", "http://user:secret@central:1"), Map.of()))
        .hasMessageContaining("must not carry credentials")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(
            () ->
                ServeConfig.parse(
                    List.of(
                        "--dir",
                        dir,
                        "--upstream",
                        "http://central:1",
                        "--s3",
                        "s3://bucket-one/p"),
                    Map.of()))
        .hasMessageContaining("either --upstream or --s3");
    assertThatThrownBy(
            () ->
                ServeConfig.parse(
                    List.of("--dir", dir), Map.of("PROGCACHE_SERVE_UPSTREAM_TOKEN", "t0123456789")))
        .hasMessageContaining("without --upstream");
    assertThatThrownBy(
            () ->
                ServeConfig.parse(
                    List.of(
                        "--dir",
                        dir,
                        "--listen",
                        "127.0.0.1:8421",
                        "--upstream",
                        "http://localhost:8421/"),
                    Map.of()))
        .hasMessageContaining("this server's own address");
    assertThatThrownBy(
            () ->
                ServeConfig.parse(
                    List.of(
                        "--dir",
                        dir,
                        "--upstream",
                        "http://central:1",
                        "--upstream-token-file",
                        dir + "/none"),
                    Map.of()))
        .hasMessageContaining("cannot read --upstream-token-file");
    ServeConfig ok =
        ServeConfig.parse(
            List.of(
                "--dir", dir, "--upstream", "https://central.example/", "--upstream-timeout", "3s"),
            Map.of("PROGCACHE_SERVE_UPSTREAM_TOKEN", "secret-upstream-token"));
    assertThat(ok.upstream()).isNotNull();
    assertThat(ok.upstream().token()).isEqualTo("secret-upstream-token");
    assertThat(ok.upstream().policy().getTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(ok.toString()).doesNotContain("secret-upstream-token");
  }
}
