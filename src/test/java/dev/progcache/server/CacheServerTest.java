package dev.progcache.server;

import static dev.progcache.testing.Hashes.action;
import static dev.progcache.testing.Hashes.sha;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.testing.TextLog;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
public class CacheServerTest {
  @TempDir Path tmp;
  private CacheServer server;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final TextLog err = new TextLog();

  @AfterEach
  void stop() {
    http.shutdownNow();
    if (server != null) {
      server.close();
    }
  }

  private CacheServer start(long maxSize, Path tokens) throws Exception {
    return start(
        new ServeConfig.Limits(maxSize, 1 << 20, 64, Duration.ofSeconds(10), 8192, 4096), tokens);
  }

  private CacheServer start(ServeConfig.Limits l, Path tokens) throws Exception {
    server =
        CacheServer.start(
            ServeConfig.onDisk("127.0.0.1", 0, tmp.resolve("store"), tokens, l, true), err);
    return server;
  }

  private HttpResponse<byte[]> put(String a, byte[] body, String token) throws Exception {
    return put(a, sha(body), body, token);
  }

  private HttpResponse<byte[]> put(String a, String out, byte[] body, String token)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.url().resolve(a + "/" + out))
            // a refused body (413) is answered from the headers: without 100-continue the answer
            // could be lost to a reset while a large body was still being written
            .expectContinue(body.length > (64 << 10))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<byte[]> get(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.url().resolve(path)).GET();
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void put_thenWantObjectGet_returnsBodyWithOutputId() throws Exception {
    start(1 << 30, null);
    byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
    assertThat(put(action(1), body, null).statusCode()).isEqualTo(204);
    HttpResponse<byte[]> r = get("action/" + action(1), Map.of("Want-Object", "1"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(body);
    assertThat(r.headers().firstValue("Go-Output-Id")).contains(sha(body));
  }

  @Test
  void get_withoutWantObject_givesJsonPointer_andOutputServesBody() throws Exception {
    start(1 << 30, null);
    byte[] body = "older clients".getBytes(StandardCharsets.UTF_8);
    put(action(2), body, null);
    HttpResponse<byte[]> r = get("action/" + action(2), Map.of());
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    assertThat(new String(r.body(), StandardCharsets.UTF_8))
        .isEqualTo("{\"outputID\":\"" + sha(body) + "\",\"size\":" + body.length + "}");
    HttpResponse<byte[]> o = get("output/" + sha(body), Map.of());
    assertThat(o.statusCode()).isEqualTo(200);
    assertThat(o.body()).isEqualTo(body);
  }

  @Test
  void get_unknown_is404() throws Exception {
    start(1 << 30, null);
    assertThat(get("action/" + action(3), Map.of("Want-Object", "1")).statusCode()).isEqualTo(404);
    assertThat(get("output/" + action(3), Map.of()).statusCode()).isEqualTo(404);
  }

  @Test
  void put_zeroLength_isStoredAndServed() throws Exception {
    start(1 << 30, null);
    assertThat(put(action(4), new byte[0], null).statusCode()).isEqualTo(204);
    HttpResponse<byte[]> r = get("action/" + action(4), Map.of("Want-Object", "1"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
  }

  @Test
  void put_withWrongSha_is400_andNothingVisible() throws Exception {
    start(1 << 30, null);
    byte[] body = "the real bytes".getBytes(StandardCharsets.UTF_8);
    String wrong = sha("other bytes".getBytes(StandardCharsets.UTF_8));
    assertThat(put(action(5), wrong, body, null).statusCode()).isEqualTo(400);
    assertThat(get("action/" + action(5), Map.of("Want-Object", "1")).statusCode()).isEqualTo(404);
    assertThat(get("output/" + wrong, Map.of()).statusCode()).isEqualTo(404);
  }

  @Test
  void put_overObjectLimit_is413() throws Exception {
    start(1 << 30, null);
    byte[] big = new byte[(1 << 20) + 1];
    assertThat(put(action(6), big, null).statusCode()).isEqualTo(413);
  }

  @Test
  void hostileIdsAndPaths_areRejected_case27() throws Exception {
    start(1 << 30, null);
    for (String p :
        List.of(
            "action/..%2f..%2fetc%2fpasswd",
            "action/" + "g".repeat(64), "action/abc", "output/../../x", "a/b/c/d")) {
      assertThat(get(p, Map.of("Want-Object", "1")).statusCode()).as(p).isIn(400, 404);
    }
    HttpResponse<byte[]> huge = get("healthz", Map.of("X-Huge", "x".repeat(20_000)));
    assertThat(huge.statusCode()).isEqualTo(431);
    assertThat(Files.exists(tmp.resolve("etc"))).isFalse();
  }

  @Test
  void lz4_isUsedWhenAccepted_forBigBodies() throws Exception {
    start(1 << 30, null);
    byte[] body = "compressible ".repeat(2000).getBytes(StandardCharsets.UTF_8);
    put(action(7), body, null);
    HttpResponse<byte[]> r =
        get("action/" + action(7), Map.of("Want-Object", "1", "Accept-Encoding", "lz4"));
    assertThat(r.headers().firstValue("Content-Encoding")).contains("lz4");
    assertThat(r.headers().firstValue("X-Uncompressed-Length"))
        .contains(Integer.toString(body.length));
    assertThat(r.body().length).isLessThan(body.length / 4);
    try (var in =
        new net.jpountz.lz4.LZ4FrameInputStream(
            new java.io.ByteArrayInputStream(r.body()),
            net.jpountz.lz4.LZ4Factory.safeInstance().safeDecompressor(),
            net.jpountz.xxhash.XXHashFactory.safeInstance().hash32())) {
      assertThat(in.readAllBytes()).isEqualTo(body);
    }
  }

  @Test
  void tokens_gateReadsAndWrites_andAreNeverLogged() throws Exception {
    Path tokens = tmp.resolve("tokens");
    Files.writeString(
        tokens,
        "# test\nwriter-token-0123456789 read,write ci\nreader-token-0123456789 read dev\n");
    start(1 << 30, tokens);
    byte[] body = "guarded".getBytes(StandardCharsets.UTF_8);
    assertThat(put(action(8), body, null).statusCode()).isEqualTo(401);
    assertThat(put(action(8), body, "nope-nope-nope-nope").statusCode()).isEqualTo(401);
    assertThat(put(action(8), body, "reader-token-0123456789").statusCode()).isEqualTo(403);
    assertThat(put(action(8), body, "writer-token-0123456789").statusCode()).isEqualTo(204);
    assertThat(get("action/" + action(8), Map.of("Want-Object", "1")).statusCode()).isEqualTo(401);
    assertThat(
            get(
                    "action/" + action(8),
                    Map.of("Want-Object", "1", "Authorization", "Bearer reader-token-0123456789"))
                .statusCode())
        .isEqualTo(200);
    assertThat(get("healthz", Map.of()).statusCode()).isEqualTo(200);
    String metrics = new String(get("metrics", Map.of()).body(), StandardCharsets.UTF_8);
    server.close();
    server = null;
    assertThat(err.text()).contains(" - ci [").contains(" - dev [");
    assertThat(err.text() + metrics)
        .doesNotContain("writer-token")
        .doesNotContain("reader-token")
        .doesNotContain("nope-nope");
  }

  @Test
  void entries_surviveRestart() throws Exception {
    start(1 << 30, null);
    byte[] body = "persistent".getBytes(StandardCharsets.UTF_8);
    put(action(9), body, null);
    server.close();
    start(1 << 30, null);
    assertThat(get("action/" + action(9), Map.of("Want-Object", "1")).body()).isEqualTo(body);
  }

  @Test
  void maxSize_evictsLeastRecentlyUsed() throws Exception {
    start(100_000, null);
    Random rnd = new Random(1);
    for (int i = 0; i < 30; i++) {
      byte[] b = new byte[10_000];
      rnd.nextBytes(b);
      assertThat(put(action(100 + i), b, null).statusCode()).isEqualTo(204);
      // keep the first entry hot
      assertThat(get("action/" + action(100), Map.of("Want-Object", "1")).statusCode())
          .isEqualTo(200);
    }
    assertThat(server.storedBytes()).isLessThanOrEqualTo(100_000);
    assertThat(get("action/" + action(101), Map.of("Want-Object", "1")).statusCode())
        .isEqualTo(404);
    assertThat(get("action/" + action(129), Map.of("Want-Object", "1")).statusCode())
        .isEqualTo(200);
    String metrics = new String(get("metrics", Map.of()).body(), StandardCharsets.UTF_8);
    assertThat(metrics).contains("progcache_evictions_total").contains("progcache_requests_total");
  }

  @Test
  void requestsBeyondTheLimit_wait_thenAre503_andATricklingPutEndsAtItsDeadline() throws Exception {
    // one request at a time, four more may wait; a request's time is 2 s
    start(new ServeConfig.Limits(1 << 30, 1 << 20, 1, Duration.ofSeconds(2), 8192, 4096), null);
    byte[] body = new byte[1000];
    String a = action(12);
    String out = sha(body);
    try (java.net.Socket slow = new java.net.Socket("127.0.0.1", server.url().getPort())) {
      slow.setSoTimeout(20_000);
      OutputStream o = slow.getOutputStream();
      o.write(
          ("PUT /" + a + "/" + out + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      o.write(body, 0, 10); // and then nothing: this PUT holds the one slot
      o.flush();
      Thread.sleep(300);
      long t0 = System.nanoTime();
      List<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>> waiting =
          new java.util.ArrayList<>();
      for (int i = 0; i < 6; i++) {
        waiting.add(
            http.sendAsync(
                HttpRequest.newBuilder(server.url().resolve("healthz")).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray()));
      }
      List<Integer> codes = new java.util.ArrayList<>();
      for (var f : waiting) {
        codes.add(f.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode());
      }
      assertThat(codes).as("over the waiting room: refused at once").contains(503);
      assertThat(codes)
          .as("the waiting ones are served once the slot is free")
          .contains(200)
          .containsOnly(200, 503);
      // the trickling PUT was cut off at its deadline: an answer (400: the client's fault, not a
      // 2xx), or the connection closed
      String answer = new String(slow.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      assertThat(answer)
          .satisfiesAnyOf(
              s -> assertThat(s).isEmpty(), s -> assertThat(s).startsWith("HTTP/1.1 400"));
      assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(15_000);
    }
    assertThat(get("action/" + a, Map.of("Want-Object", "1")).statusCode())
        .as("nothing stored")
        .isEqualTo(404);
  }

  @Test
  void h2c_priorKnowledge_isServed() throws Exception {
    start(1 << 30, null);
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    try {
      // the JDK client upgrades from HTTP/1.1 for http:// URLs
      HttpResponse<String> r =
          h2.send(
              HttpRequest.newBuilder(server.url().resolve("healthz")).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> r2 =
          h2.send(
              HttpRequest.newBuilder(server.url().resolve("healthz")).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r2.version()).isEqualTo(HttpClient.Version.HTTP_2);
    } finally {
      h2.shutdownNow();
    }
  }

  @Test
  void nonLoopbackWithoutTokens_isRefused() {
    assertThatThrownBy(() -> ServeConfig.parse(List.of("--listen", "0.0.0.0:0"), Map.of()))
        .isInstanceOf(ServeException.class)
        .hasMessageContaining("without --tokens");
  }

  @Test
  void url_isLoopback() throws Exception {
    start(1 << 30, null);
    assertThat(server.url().getHost()).isEqualTo("127.0.0.1");
    assertThat(URI.create(server.url() + "x").getPort()).isEqualTo(server.port());
  }
}
