package dev.progcache.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** {@code GET /} and {@code /status.json} of an in-process server after real HTTP traffic. */
@Timeout(60)
class StatusEndpointsTest {
  private static final String READER = "reader-token-0123456789abcdef";
  private static final String WRITER = "writer-token-0123456789abcdef";
  private static final String PR1 = "pr1-token-0123456789abcdef";
  private static final String PR2 = "pr2-token-0123456789abcdef";
  private static final String WRITE_ONLY = "writeonly-token-0123456789abcdef";
  private static final String SCRAPER = "scraper-token-0123456789abcdef";
  @TempDir Path tmp;
  private final LoopbackServer server = new LoopbackServer(1 << 16);
  private final ObjectMapper json = new ObjectMapper();

  @AfterEach
  void stop() {
    server.close();
  }

  private void start(Path tokens) throws Exception {
    server.start(tmp.resolve("store"), tokens);
  }

  private Path tokensFile() throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add(line(READER, "read", "main", null, "dev"));
    lines.add(line(WRITER, "read,write", "main", null, "ci-main"));
    lines.add(line(PR1, "read,write", "pr-1", "main", "pr-1"));
    lines.add(line(PR2, "read,write", "pr-2", "main", "pr-2"));
    lines.add(line(WRITE_ONLY, "write", "main", null, "uploader"));
    lines.add(line(SCRAPER, "read,metrics", "main", null, "scraper"));
    Path f = tmp.resolve("tokens");
    Files.write(f, lines);
    return f;
  }

  private static String line(String token, String grants, String ns, String reads, String name) throws Exception {
    return "sha256:" + CacheServerTest.sha(token.getBytes(StandardCharsets.UTF_8)) + " " + grants + " ns=" + ns
        + (reads == null ? "" : " reads=" + reads) + " name=" + name;
  }

  private HttpResponse<String> send(String method, String path, byte[] body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.url().resolve(path))
            .expectContinue(body.length > (64 << 10)) // see CacheServerTest.put
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return server.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    return send("GET", path, new byte[0], token == null ? Map.of() : Map.of("Authorization", "Bearer " + token));
  }

  private int put(String prefix, String action, byte[] body, String output, String token) throws Exception {
    Map<String, String> h = token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
    return send("PUT", prefix + action + "/" + output, body, h).statusCode();
  }

  @Test
  void statusJson_reportsTheTraffic_andThePageShowsTheSameFigures() throws Exception {
    start(null);
    byte[] small = "small body".getBytes(StandardCharsets.UTF_8);
    byte[] big = new byte[40_000];
    assertThat(put("", CacheServerTest.action(1), small, CacheServerTest.sha(small), null)).isEqualTo(204);
    assertThat(put("", CacheServerTest.action(2), big, CacheServerTest.sha(big), null)).isEqualTo(204);
    assertThat(put("", CacheServerTest.action(3), small, CacheServerTest.sha(big), null)).isEqualTo(400); // integrity
    assertThat(put("", CacheServerTest.action(4), new byte[70_000], CacheServerTest.sha(new byte[70_000]), null))
        .isEqualTo(413);
    for (int i = 1; i <= 4; i++) {
      get("action/" + CacheServerTest.action(i), null); // 2 hits, 2 misses
    }
    get("action/" + CacheServerTest.action(1), null); // a third hit

    HttpResponse<String> r = get("status.json", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    JsonNode s = json.readTree(r.body());
    assertThat(s.at("/requests/actionHits").asLong()).isEqualTo(3);
    assertThat(s.at("/requests/actionMisses").asLong()).isEqualTo(2);
    assertThat(s.at("/requests/hitRatio").asDouble()).isEqualTo(0.6);
    assertThat(s.at("/requests/uploads").asLong()).isEqualTo(2);
    assertThat(s.at("/store/entries").asLong()).isEqualTo(2);
    assertThat(s.at("/store/bytes").asLong()).isEqualTo(small.length + big.length);
    assertThat(s.at("/store/limitBytes").asLong()).isEqualTo(1L << 30);
    assertThat(s.at("/rejectedPuts/integrity").asLong()).isEqualTo(1);
    assertThat(s.at("/rejectedPuts/size").asLong()).isEqualTo(1);
    assertThat(s.at("/rejectedPuts/total").asLong()).isEqualTo(2);
    assertThat(s.at("/namespaces/0/name").asString()).isEqualTo("main");
    assertThat(s.at("/namespaces/0/hits").asLong()).isEqualTo(3);
    assertThat(s.at("/largest/0/bytes").asLong()).isEqualTo(big.length);
    assertThat(s.at("/largest/0/action").asString()).isEqualTo(CacheServerTest.action(2));
    assertThat(s.at("/largest")).hasSize(2);
    assertThat(s.at("/backing").isNull()).isTrue();
    assertThat(s.at("/history/hour/buckets")).hasSize(StatusHistory.HOUR_BUCKETS);
    assertThat(s.at("/history/day/buckets")).hasSize(StatusHistory.DAY_BUCKETS);
    JsonNode now = s.at("/history/hour/buckets/" + (StatusHistory.HOUR_BUCKETS - 1));
    // the last minute has everything, unless the test crossed a minute boundary
    assertThat(now.at("/requests").asLong() + s.at("/history/hour/buckets/58/requests").asLong())
        .isEqualTo(5 + 2 + 2); // 5 lookups, 2 uploads, 2 rejected
    assertThat(s.at("/version").asString()).isNotBlank();

    HttpResponse<String> page = get("", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).startsWith("default-src 'none'");
    String html = page.body();
    assertThat(html).contains("id=\"hit-ratio\" data-value=\"0.6\">60.0 %<");
    assertThat(html).contains("id=\"entries\" data-value=\"2\">2<");
    assertThat(html).contains("id=\"bytes\" data-value=\"" + (small.length + big.length) + "\"");
    assertThat(html).contains("<svg").doesNotContain("<script").doesNotContain("src=");
    assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http://").doesNotContain("https://");
  }

  @Test
  void existingRoutes_stillAnswer_andStatusIsNotACachePath() throws Exception {
    start(null);
    assertThat(get("healthz", null).body()).isEqualTo("ok\n");
    assertThat(get("metrics", null).body()).contains("progcache_requests_total");
    assertThat(get("ns/main/", null).statusCode()).isEqualTo(404);
    assertThat(get("ns/main/status.json", null).statusCode()).isEqualTo(404);
    assertThat(send("POST", "", new byte[0], Map.of()).statusCode()).isEqualTo(404);
    assertThat(send("PUT", "status.json", new byte[0], Map.of()).statusCode()).isEqualTo(404);
  }

  @Test
  void withTokens_statusNeedsAReadToken_andShowsOnlyWhatItReads_neverAToken() throws Exception {
    start(tokensFile());
    assertThat(get("", null).statusCode()).isEqualTo(401);
    assertThat(get("status.json", null).statusCode()).isEqualTo(401);
    assertThat(get("status.json", "not-a-token-0000000000").statusCode()).isEqualTo(401);
    assertThat(get("status.json", WRITE_ONLY).statusCode()).isEqualTo(403);
    byte[] b = "pr body".getBytes(StandardCharsets.UTF_8);
    assertThat(put("", CacheServerTest.action(7), b, CacheServerTest.sha(b), PR1)).isEqualTo(204);
    assertThat(put("", CacheServerTest.action(8), b, CacheServerTest.sha(b), PR2)).isEqualTo(204);
    assertThat(put("", CacheServerTest.action(9), b, CacheServerTest.sha(b), READER)).isEqualTo(403);
    assertThat(put("", CacheServerTest.action(9), b, CacheServerTest.sha(b), null)).isEqualTo(401);

    JsonNode s = json.readTree(get("status.json", PR1).body());
    assertThat(s.at("/principal").asString()).isEqualTo("pr-1");
    List<String> names = new ArrayList<>();
    s.at("/namespaces").forEach(n -> names.add(n.at("/name").asString()));
    assertThat(names).containsExactly("main", "pr-1");
    assertThat(s.at("/rejectedPuts/auth").asLong()).isEqualTo(2);
    assertThat(s.at("/largest")).hasSize(1);
    assertThat(s.at("/largest/0/namespace").asString()).isEqualTo("pr-1");

    for (String t : List.of(READER, WRITER, PR1)) {
      HttpResponse<String> page = get("", t);
      HttpResponse<String> js = get("status.json", t);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(js.statusCode()).isEqualTo(200);
      for (String secret : List.of(READER, WRITER, PR1, PR2, WRITE_ONLY)) {
        assertThat(page.body()).doesNotContain(secret);
        assertThat(js.body()).doesNotContain(secret);
      }
    }
    assertThat(get("metrics", null).statusCode()).isEqualTo(401);
    assertThat(get("metrics", READER).statusCode()).as("no metrics grant").isEqualTo(403);
    String metrics = get("metrics", SCRAPER).body();
    assertThat(metrics).contains("progcache_requests_total{outcome=\"forbidden\",route=\"put\"} 1.0");
    assertThat(metrics).contains("progcache_namespace_objects{namespace=\"main\"}");
    assertThat(metrics).as("names no namespace the token cannot read").doesNotContain("pr-2").doesNotContain("pr-1");
  }

  @Test
  void history_isSavedAtStop_andShownAfterARestart() throws Exception {
    start(null);
    for (int i = 0; i < 3; i++) {
      get("action/" + CacheServerTest.action(i), null);
    }
    server.stopServer();
    assertThat(tmp.resolve("store").resolve(CacheServer.HISTORY_FILE)).exists();
    start(null);
    JsonNode s = json.readTree(get("status.json", null).body());
    assertThat(s.at("/requests/actionMisses").asLong()).isZero(); // counters restart
    long misses = 0;
    for (JsonNode b : s.at("/history/hour/buckets")) {
      misses += b.at("/actionMisses").asLong();
    }
    assertThat(misses).isEqualTo(3);
  }
}
