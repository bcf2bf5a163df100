package dev.progcache.server;

import static dev.progcache.testing.Hashes.action;
import static dev.progcache.testing.Hashes.sha;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.cache.Key;
import dev.progcache.server.auth.TokenCommand;
import dev.progcache.server.http.MetricsEndpoint;
import dev.progcache.server.store.Manifests;
import dev.progcache.server.store.ServerStore;
import dev.progcache.testing.TextLog;
import dev.progcache.wire.BatchFrames;
import dev.progcache.wire.Manifest;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's findings of the security probe (issue 27): token revocation while serving, who reads
 * {@code /metrics}, reads that created namespaces, error bodies, manifests, and PUTs that end early
 * or are too big. Real server on loopback, real HTTP.
 */
@Timeout(60)
class ServeHoldsTest {
  static final String WRITER = "writer-token-0123456789abcdef";
  static final String PR1 = "pr1-token-0123456789abcdef";
  static final String PR2 = "pr2-token-0123456789abcdef";
  static final String READER99 = "reader99-token-0123456789abcdef";
  @TempDir Path tmp;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final TextLog err = new TextLog();
  private CacheServer server;

  @AfterEach
  void stop() {
    http.shutdownNow();
    if (server != null) {
      server.close();
    }
  }

  private CacheServer start(@Nullable Path tokens, long maxSize, int maxNamespaces)
      throws Exception {
    ServeConfig.Limits l =
        new ServeConfig.Limits(maxSize, 1 << 20, 64, Duration.ofSeconds(10), 8192, 4096);
    ServeConfig.Trust t = new ServeConfig.Trust(false, false, 1 << 20, maxNamespaces, null);
    server =
        CacheServer.start(
            ServeConfig.onDisk("127.0.0.1", 0, tmp.resolve("store"), tokens, l, true)
                .withTrust(t)
                .withMetricsListen(InetSocketAddress.createUnresolved("127.0.0.1", 0)),
            err);
    return server;
  }

  static String line(String token, String grants, String ns, @Nullable String reads, String name)
      throws Exception {
    return "sha256:"
        + sha(token.getBytes(StandardCharsets.UTF_8))
        + " "
        + grants
        + " ns="
        + ns
        + (reads == null ? "" : " reads=" + reads)
        + " name="
        + name;
  }

  private Path tokens() throws Exception {
    return Files.write(
        tmp.resolve("tokens"),
        List.of(
            line(WRITER, "read,write", "main", null, "ci"),
            line(PR1, "read,write", "pr-1", "main", "pr-1"),
            line(PR2, "read,write", "pr-2", "main", "pr-2"),
            line(READER99, "read", "pr-99", "main", "pr-99")));
  }

  private HttpResponse<String> send(String method, String path, byte[] body, @Nullable String token)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.url().resolve(path))
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    try (HttpClient once = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      return once.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  private int put(String action, byte[] body, @Nullable String token) throws Exception {
    return send("PUT", action + "/" + sha(body), body, token).statusCode();
  }

  /** Sends {@code request} as is on a connection of its own; returns what came back. */
  private String raw(String request, byte[] extra, boolean halfClose) throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(15_000);
      OutputStream o = s.getOutputStream();
      o.write(request.getBytes(StandardCharsets.ISO_8859_1));
      o.write(extra);
      o.flush();
      if (halfClose) {
        s.shutdownOutput();
      }
      InputStream in = s.getInputStream();
      return new String(in.readNBytes(4096), StandardCharsets.ISO_8859_1);
    } catch (java.net.SocketException e) {
      return ""; // reset: no answer at all
    }
  }

  static void assertPlain(String body) {
    assertThat(body)
        .doesNotContainIgnoringCase("<html")
        .doesNotContain("org.eclipse")
        .doesNotContain("java.")
        .doesNotContain("Exception");
  }

  private String scrapeMetricsPort() throws Exception {
    URI u = URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics");
    return http.send(HttpRequest.newBuilder(u).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void s41_revokedToken_isRefusedByARunningServerWithin2s_evenWithAMalformedLine()
      throws Exception {
    start(tokens(), 1 << 30, 16);
    String a = action(1);
    assertThat(send("GET", "action/" + a, new byte[0], WRITER).statusCode()).isEqualTo(404);
    assertThat(
            TokenCommand.run(
                List.of("revoke", "--tokens", tmp.resolve("tokens").toString(), "ci"),
                System.out,
                err))
        .isZero();
    Files.writeString(
        tmp.resolve("tokens"),
        "this line is not a token\n",
        java.nio.file.StandardOpenOption.APPEND);
    long t0 = System.nanoTime();
    while (send("GET", "action/" + a, new byte[0], WRITER).statusCode() != 401) {
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
      Thread.sleep(50);
    }
    assertThat(send("GET", "action/" + a, new byte[0], PR1).statusCode())
        .as("other lines stay valid")
        .isEqualTo(404);
  }

  @Test
  void s42_metrics_needAMetricsGrant_orTheMetricsAddress_whichServesNothingElse() throws Exception {
    start(tokens(), 1 << 30, 16);
    assertThat(put(action(2), "pr".getBytes(StandardCharsets.UTF_8), PR1)).isEqualTo(204);
    HttpResponse<String> anon = send("GET", "metrics", new byte[0], null);
    assertThat(anon.statusCode()).isEqualTo(401);
    assertThat(anon.body()).doesNotContain("pr-1");
    HttpResponse<String> reader = send("GET", "metrics", new byte[0], PR1);
    assertThat(reader.statusCode()).isEqualTo(403);
    assertThat(reader.body()).doesNotContain("progcache_");
    assertThat(scrapeMetricsPort()).contains("namespace=\"pr-1\"");
    URI other = URI.create("http://127.0.0.1:" + server.metricsPort() + "/action/" + action(2));
    assertThat(
            http.send(HttpRequest.newBuilder(other).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(404);
    assertThat(
            MetricsEndpoint.readableBy(
                "a 1\nb{namespace=\"pr-1\"} 2\nc{namespace=\"main\"} 3", "main"::equals))
        .isEqualTo("a 1\nc{namespace=\"main\"} 3");
  }

  @Test
  void s43_readsCreateNoNamespace_andAtTheLimitOnlyWritesAreRefused() throws Exception {
    start(tokens(), 1 << 30, 1);
    assertThat(put(action(3), "one".getBytes(StandardCharsets.UTF_8), PR1)).isEqualTo(204);
    Key ctx = Key.of(new byte[32]);
    byte[] ids = BatchFrames.ids(List.of(Key.ofHex(action(3))));
    List<HttpResponse<String>> reads = new ArrayList<>();
    reads.add(send("POST", "batch", ids, READER99));
    reads.add(send("GET", "manifest/" + ctx.hex(), new byte[0], READER99));
    reads.add(send("GET", "action/" + action(3), new byte[0], READER99));
    reads.add(send("GET", "output/" + action(3), new byte[0], READER99));
    reads.add(send("GET", "status.json", new byte[0], READER99));
    for (HttpResponse<String> r : reads) {
      assertThat(r.statusCode()).as(r.uri().toString()).isIn(200, 404);
      assertPlain(r.body());
    }
    assertThat(tmp.resolve("store").resolve("ns").resolve("pr-99")).doesNotExist();
    assertThat(tmp.resolve("store").resolve("manifests").resolve("pr-99")).doesNotExist();
    HttpResponse<String> write = send("PUT", action(4) + "/" + sha(new byte[1]), new byte[1], PR2);
    assertThat(write.statusCode()).isEqualTo(507);
    assertPlain(write.body());
    assertThat(send("POST", "manifest/" + ctx.hex(), ids, PR2).statusCode()).isEqualTo(507);
    assertThat(tmp.resolve("store").resolve("ns").resolve("pr-2")).doesNotExist();
  }

  @Test
  void s43_errorBodies_arePlainText_withoutJavaClassNames() throws Exception {
    start(null, 1 << 30, 16);
    List<String> answers = new ArrayList<>();
    answers.add(raw("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", new byte[0], false));
    answers.add(
        raw(
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(10_000) + "\r\n\r\n",
            new byte[0],
            false));
    answers.add(
        raw("PUT /a/b HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", new byte[0], false));
    answers.add(
        raw(
            "BREW / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            new byte[0],
            false));
    answers.add(raw("GET / HTTP/9.9\r\n\r\n", new byte[0], false));
    for (String a : answers) {
      assertThat(a)
          .satisfiesAnyOf(
              x -> assertThat(x).isEmpty(),
              x -> assertThat(x).matches("(?s)HTTP/1.1 [45][0-9][0-9] .*"));
      assertThat(a).doesNotStartWith("HTTP/1.1 500");
      assertPlain(a);
    }
  }

  @Test
  void s44_manifests_countAgainstTheNamespaceSize_andContextsAreCapped() throws Exception {
    ServerStore store = ServerStore.open(tmp.resolve("ns"), 1 << 20);
    Manifests m = new Manifests(tmp.resolve("manifests"), () -> 1_790_000_000_000L);
    List<Key> one = List.of(Key.of(new byte[32]));
    for (int i = 0; i < Manifests.MAX_CONTEXTS; i++) {
      byte[] c = new byte[32];
      c[0] = (byte) i;
      c[1] = (byte) (i >> 8);
      m.merge("pr-1", Key.of(c), Manifest.allAsked(one), store.manifestRoom());
    }
    assertThat(store.bytes())
        .as("manifest bytes count")
        .isGreaterThan(Manifests.MAX_CONTEXTS * 64L);
    byte[] extra = new byte[32];
    extra[2] = 1;
    assertThatThrownBy(
            () -> m.merge("pr-1", Key.of(extra), Manifest.allAsked(one), store.manifestRoom()))
        .isInstanceOf(Manifests.Full.class)
        .hasMessageContaining("maximum of " + Manifests.MAX_CONTEXTS);

    ServerStore small = ServerStore.open(tmp.resolve("small"), 4096);
    List<Key> many = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      byte[] k = new byte[32];
      k[0] = (byte) i;
      many.add(Key.of(k));
    }
    assertThatThrownBy(
            () -> m.merge("small", Key.of(extra), Manifest.allAsked(many), small.manifestRoom()))
        .isInstanceOf(Manifests.Full.class)
        .hasMessageContaining("size limit");
    assertThat(small.bytes()).isZero();
  }

  @Test
  void s47_putEndingEarly_is400_andCountedAsARejectedPut() throws Exception {
    start(null, 1 << 30, 16);
    byte[] body = new byte[1000];
    String a = action(5);
    String answer =
        raw(
            "PUT /" + a + "/" + sha(body) + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n",
            new byte[10],
            true);
    assertThat(answer).startsWith("HTTP/1.1 400");
    assertPlain(answer);
    assertThat(scrapeMetricsPort())
        .contains("progcache_requests_total{outcome=\"bad\",route=\"put\"} 1.0");
    assertThat(send("GET", "action/" + a, new byte[0], null).statusCode()).isEqualTo(404);
  }

  @Test
  void s47_objectOverMaxSize_is413_notAcceptedAndDropped() throws Exception {
    start(null, 1000, 16);
    byte[] body = new byte[2000];
    String a = action(6);
    HttpResponse<String> r = send("PUT", a + "/" + sha(body), body, null);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(r.body()).contains("2000").contains("1000");
    assertThat(send("GET", "action/" + a, new byte[0], null).statusCode()).isEqualTo(404);
    assertThat(put(action(7), new byte[500], null)).isEqualTo(204);
  }
}
