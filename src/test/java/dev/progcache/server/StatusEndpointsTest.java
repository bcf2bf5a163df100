package dev.progcache.server;

import static dev.progcache.testing.Hashes.action;
import static dev.progcache.testing.Hashes.sha;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.server.status.StatusHistory;
import dev.progcache.server.status.StatusSession;
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

  private static String line(String token, String grants, String ns, String reads, String name)
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

  private HttpResponse<String> send(
      String method, String path, byte[] body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.url().resolve(path))
            .expectContinue(body.length > (64 << 10)) // see CacheServerTest.put
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return server.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    return send(
        "GET",
        path,
        new byte[0],
        token == null ? Map.of() : Map.of("Authorization", "Bearer " + token));
  }

  private int put(String prefix, String action, byte[] body, String output, String token)
      throws Exception {
    Map<String, String> h = token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
    return send("PUT", prefix + action + "/" + output, body, h).statusCode();
  }

  @Test
  void statusJson_reportsTheTraffic_andThePageShowsTheSameFigures() throws Exception {
    start(null);
    byte[] small = "small body".getBytes(StandardCharsets.UTF_8);
    byte[] big = new byte[40_000];
    assertThat(put("", action(1), small, sha(small), null)).isEqualTo(204);
    assertThat(put("", action(2), big, sha(big), null)).isEqualTo(204);
    assertThat(put("", action(3), small, sha(big), null)).isEqualTo(400); // integrity
    assertThat(put("", action(4), new byte[70_000], sha(new byte[70_000]), null)).isEqualTo(413);
    for (int i = 1; i <= 4; i++) {
      get("action/" + action(i), null); // 2 hits, 2 misses
    }
    get("action/" + action(1), null); // a third hit

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
    assertThat(s.at("/largest/0/action").asString()).isEqualTo(action(2));
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
    assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
        .startsWith("default-src 'none'");
    String html = page.body();
    assertThat(html).contains("id=\"hit-ratio\" data-value=\"0.6\">60.0 %<");
    assertThat(html).contains("id=\"entries\" data-value=\"2\">2<");
    assertThat(html).contains("id=\"bytes\" data-value=\"" + (small.length + big.length) + "\"");
    assertThat(html).contains("<svg").doesNotContain("<script").doesNotContain("src=");
    assertThat(html.replace("http://www.w3.org/2000/svg", ""))
        .doesNotContain("http://")
        .doesNotContain("https://");
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
    assertThat(put("", action(7), b, sha(b), PR1)).isEqualTo(204);
    assertThat(put("", action(8), b, sha(b), PR2)).isEqualTo(204);
    assertThat(put("", action(9), b, sha(b), READER)).isEqualTo(403);
    assertThat(put("", action(9), b, sha(b), null)).isEqualTo(401);

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
    assertThat(metrics)
        .contains("progcache_requests_total{outcome=\"forbidden\",route=\"put\"} 1.0");
    assertThat(metrics).contains("progcache_namespace_objects{namespace=\"main\"}");
    assertThat(metrics)
        .as("names no namespace the token cannot read")
        .doesNotContain("pr-2")
        .doesNotContain("pr-1");
  }

  @Test
  void hitsThroughBatchAndThroughAFallbackNamespace_countInTheTotals_andInTheNamespaceThatAnswered()
      throws Exception {
    start(tokensFile());
    byte[] b = "main body".getBytes(StandardCharsets.UTF_8);
    for (int i = 1; i <= 2; i++) {
      assertThat(put("", action(i), b, sha(b), WRITER)).isEqualTo(204);
    }
    // pr-1 has no entries yet: its reads fall back to main
    assertThat(get("action/" + action(1), PR1).statusCode()).isEqualTo(200);
    assertThat(get("action/" + action(5), PR1).statusCode()).isEqualTo(404);
    List<dev.progcache.cache.Key> ids = new ArrayList<>();
    for (int i : new int[] {1, 2, 6}) {
      ids.add(dev.progcache.cache.Key.ofHex(action(i)));
    }
    HttpResponse<String> batch =
        send(
            "POST",
            "batch",
            dev.progcache.wire.BatchFrames.ids(ids),
            Map.of("Authorization", "Bearer " + PR1));
    assertThat(batch.statusCode()).isEqualTo(200);

    JsonNode s = json.readTree(get("status.json", WRITER).body());
    assertThat(s.at("/requests/actionHits").asLong()).isEqualTo(1);
    assertThat(s.at("/requests/batchHits").asLong()).isEqualTo(2);
    assertThat(s.at("/requests/batchMisses").asLong()).isEqualTo(1);
    assertThat(s.at("/requests/hits").asLong()).isEqualTo(3);
    assertThat(s.at("/requests/actionMisses").asLong()).isEqualTo(1);
    assertThat(s.at("/requests/hitRatio").asDouble())
        .isEqualTo(0.75); // a batch miss is no lookup of go's
    assertThat(s.at("/namespaces")).as("a read creates no namespace").hasSize(1);
    assertThat(s.at("/namespaces/0/hits").asLong()).isEqualTo(3);
    assertThat(s.at("/namespaces/0/misses").asLong()).isEqualTo(1);
    long hourHits = 0;
    for (JsonNode bucket : s.at("/history/hour/buckets")) {
      hourHits += bucket.at("/actionHits").asLong();
    }
    assertThat(hourHits).as("the history's hits include the batch's").isEqualTo(3);
    assertThat(get("", WRITER).body()).contains("id=\"hit-ratio\" data-value=\"0.75\">75.0 %<");
    assertThat(get("metrics", SCRAPER).body())
        .contains("progcache_namespace_lookups_total{namespace=\"main\",outcome=\"hit\"} 3.0")
        .contains("progcache_requests_total{outcome=\"hit\",route=\"batch\"} 2.0");
  }

  private HttpResponse<String> form(String path, String body, Map<String, String> headers)
      throws Exception {
    Map<String, String> h = new java.util.HashMap<>(headers);
    h.put("Content-Type", "application/x-www-form-urlencoded");
    return send("POST", path, body.getBytes(StandardCharsets.UTF_8), h);
  }

  @Test
  void signIn_setsAnHttpOnlyStrictSessionCookie_notTheToken_thatOpensOnlyTheStatus()
      throws Exception {
    start(tokensFile());
    HttpResponse<String> anonymous = get("", null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.body())
        .contains("<form method=\"post\" action=\"signin\"")
        .doesNotContain("Hit ratio");
    assertThat(anonymous.body()).doesNotContain("sign-in-error");

    HttpResponse<String> wrong = form("signin", "token=not-a-token-0000000000", Map.of());
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).contains("sign-in-error").doesNotContain("not-a-token");
    assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(form("signin", "token=" + WRITE_ONLY, Map.of()).statusCode())
        .as("may not read")
        .isEqualTo(403);
    assertThat(
            form("signin", "token=" + READER, Map.of("Origin", "http://elsewhere.example"))
                .statusCode())
        .as("a form on another site")
        .isEqualTo(403);
    assertThat(
            form("signin", "token=" + READER, Map.of("Sec-Fetch-Site", "cross-site")).statusCode())
        .isEqualTo(403);
    HttpResponse<String> proxied =
        form(
            "signin",
            "token=" + READER,
            Map.of(
                "X-Forwarded-Proto",
                "https",
                "Sec-Fetch-Site",
                "same-origin",
                "Origin",
                "https://cache.example"));
    assertThat(proxied.statusCode()).as("behind a TLS proxy that rewrites Host").isEqualTo(303);
    assertThat(proxied.headers().firstValue("Set-Cookie").orElseThrow()).contains("Secure");

    HttpResponse<String> in =
        form(
            "signin",
            "token=" + java.net.URLEncoder.encode(READER, StandardCharsets.UTF_8),
            Map.of());
    assertThat(in.statusCode()).isEqualTo(303);
    assertThat(in.headers().firstValue("Location")).contains("./");
    String setCookie = in.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie)
        .startsWith(StatusSession.COOKIE + "=")
        .contains("HttpOnly")
        .containsIgnoringCase("SameSite=Strict")
        .contains("Path=/")
        .doesNotContain("Secure")
        .doesNotContain(READER);
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    assertThat(cookie.length()).isGreaterThan(StatusSession.COOKIE.length() + 40);

    HttpResponse<String> page = send("GET", "", new byte[0], Map.of("Cookie", cookie));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains("Hit ratio")
        .contains("as dev")
        .contains("id=\"sign-out\"")
        .doesNotContain(READER);
    JsonNode viaCookie =
        json.readTree(send("GET", "status.json", new byte[0], Map.of("Cookie", cookie)).body());
    assertThat(viaCookie.at("/principal").asString()).isEqualTo("dev");
    assertThat(
            send("GET", "action/" + action(1), new byte[0], Map.of("Cookie", cookie)).statusCode())
        .as("the cookie is no token for the cache")
        .isEqualTo(401);
    assertThat(send("GET", "metrics", new byte[0], Map.of("Cookie", cookie)).statusCode())
        .as("the cookie opens no /metrics: that needs a token with the metrics grant")
        .isEqualTo(401);

    HttpResponse<String> out = form("signout", "", Map.of("Cookie", cookie));
    assertThat(out.statusCode()).isEqualTo(303);
    assertThat(out.headers().firstValue("Set-Cookie").orElseThrow())
        .startsWith(StatusSession.COOKIE + "=;")
        .contains("1970");
    assertThat(send("GET", "", new byte[0], Map.of("Cookie", cookie)).statusCode())
        .as("the session is over")
        .isEqualTo(401);
  }

  @Test
  void metrics_haveHelpEverywhere_durationHistogramsBuildInfoAndProcessFigures() throws Exception {
    start(null);
    byte[] small = "small body".getBytes(StandardCharsets.UTF_8);
    assertThat(put("", action(1), small, sha(small), null)).isEqualTo(204);
    get("action/" + action(1), null);
    get("action/" + action(2), null);
    get("healthz", null);
    String m = get("metrics", null).body();
    Map<String, String> help = new java.util.TreeMap<>();
    List<String> families = new ArrayList<>();
    for (String line : m.split("\n")) {
      if (line.startsWith("# HELP ")) {
        String[] f = line.split(" ", 4);
        help.put(f[2], f.length > 3 ? f[3] : "");
      } else if (line.startsWith("# TYPE ")) {
        families.add(line.split(" ")[2]);
      }
    }
    assertThat(families).hasSizeGreaterThan(20);
    for (String f : families) {
      assertThat(help.get(f)).as("HELP of %s", f).isNotBlank();
    }
    assertThat(m)
        .contains(
            "progcache_request_duration_seconds_bucket{route=\"action\",status=\"2xx\",le=\"0.001\"}")
        .contains(
            "progcache_request_duration_seconds_bucket{route=\"action\",status=\"4xx\",le=\"+Inf\"} 1")
        .contains("progcache_request_duration_seconds_count{route=\"put\",status=\"2xx\"} 1")
        .contains("progcache_request_duration_seconds_count{route=\"healthz\",status=\"2xx\"} 1");
    assertThat(m).containsPattern("progcache_build_info\\{java=\"[^\"]+\",version=\"[^\"]+\"} 1");
    assertThat(m)
        .containsPattern("process_resident_memory_bytes [1-9]")
        .contains("process_files_open_files ")
        .contains("jvm_memory_used_bytes{")
        .contains("jvm_threads_live_threads ")
        .contains("jvm_gc_")
        .contains("progcache_lookups_total{outcome=\"hit\"} 1.0");
  }

  @Test
  void history_isSavedAtStop_andShownAfterARestart() throws Exception {
    start(null);
    for (int i = 0; i < 3; i++) {
      get("action/" + action(i), null);
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
