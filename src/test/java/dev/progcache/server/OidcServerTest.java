package dev.progcache.server;

import static dev.progcache.testing.Hashes.sha;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.progcache.server.auth.ClaimRules;
import dev.progcache.server.auth.OidcSettings;
import dev.progcache.server.auth.Tokens;
import dev.progcache.testing.FakeIssuer;
import dev.progcache.testing.TextLog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * OIDC id-tokens against an in-process server and a key set served on loopback by {@link
 * FakeIssuer}; time is a test clock. After each test, nothing the server printed (access log
 * included) and no metric may contain a token.
 */
@Timeout(60)
class OidcServerTest {
  static final String AUD = "progcache.test";
  static final String RULES =
      """
      # trusted pushes to main write main; pull requests write pr-N and read main
      repository=acme/app ref=refs/heads/main event_name=push -> read,write ns=main
      repository=acme/app event_name=pull_request -> read,write ns=pr-${pr} reads=main
      repository=acme/tools -> read
      """;
  static final Map<String, String> MAIN_PUSH =
      Map.of("repository", "acme/app", "ref", "refs/heads/main", "event_name", "push");
  static final Map<String, String> PR_12 =
      Map.of("repository", "acme/app", "ref", "refs/pull/12/merge", "event_name", "pull_request");

  @TempDir Path tmp;
  private final TextLog err = new TextLog();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final TestClock clock = new TestClock(Instant.parse("2026-11-26T03:00:00Z"));
  private FakeIssuer issuer;
  private CacheServer server;

  static final class TestClock extends Clock {
    private volatile Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @BeforeEach
  void issuer() throws Exception {
    issuer = new FakeIssuer();
  }

  @AfterEach
  void stop() throws Exception {
    String metrics = "";
    if (server != null) {
      try {
        metrics = scrape();
      } catch (java.io.IOException | IllegalArgumentException e) {
        // closed by the test
      }
      http.shutdownNow(); // idle connections would hold up the graceful stop
      server.close();
    }
    issuer.close();
    http.shutdownNow();
    String out = err.text() + metrics;
    for (String t : issuer.issued()) {
      assertThat(out).as("server output must not contain a token").doesNotContain(t);
      String signature = t.substring(t.lastIndexOf('.') + 1);
      if (!signature.isEmpty()) {
        assertThat(out).as("nor a token's signature").doesNotContain(signature);
      }
    }
  }

  private CacheServer start(String jwks, int maxNamespaces, Duration fetchTimeout)
      throws Exception {
    Path rules = Files.writeString(tmp.resolve("rules"), RULES);
    OidcSettings o =
        OidcSettings.of(issuer.issuer(), AUD, jwks, rules.toString(), Duration.ofSeconds(30))
            .withFetch(fetchTimeout, Duration.ofSeconds(10));
    ServeConfig.Limits l =
        new ServeConfig.Limits(1 << 30, 1 << 20, 64, Duration.ofSeconds(10), 8192, 4096);
    ServeConfig.Trust t = new ServeConfig.Trust(false, false, 1 << 30, maxNamespaces, o);
    server =
        CacheServer.start(
            ServeConfig.onDisk("127.0.0.1", 0, tmp.resolve("store"), null, l, true)
                .withTrust(t)
                .withMetricsListen(java.net.InetSocketAddress.createUnresolved("127.0.0.1", 0)),
            err,
            clock);
    return server;
  }

  /** {@code /metrics} from the metrics address, which needs no token. */
  private String scrape() throws Exception {
    URI u = URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics");
    return http.send(HttpRequest.newBuilder(u).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private CacheServer start() throws Exception {
    return start(null, 256, Duration.ofSeconds(5));
  }

  private String token(Map<String, String> claims) throws Exception {
    return issuer.sign(issuer.claims(AUD, clock.instant(), claims));
  }

  static String action(String s) throws Exception {
    return sha(s.getBytes(StandardCharsets.UTF_8));
  }

  private int put(String prefix, String action, String body, String token) throws Exception {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    HttpRequest.Builder r =
        HttpRequest.newBuilder(server.url().resolve(prefix + action + "/" + sha(b)))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(b));
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    // a connection of its own: a refused PUT leaves its body unread and the server closes the
    // connection, which a shared client could otherwise pick for the next request
    try (HttpClient once = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      return once.send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(server.url().resolve(path)).header("Want-Object", "1");
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The server's output once the access log was flushed (it is, every second). */
  private String accessLog() throws InterruptedException {
    int before = err.text().length();
    for (int i = 0; i < 30 && err.text().length() == before; i++) {
      Thread.sleep(100);
    }
    return err.text();
  }

  private int read(String token) throws Exception {
    return get("action/" + action("probe"), token).statusCode();
  }

  @Test
  void mainPushToken_readsAndWritesMain() throws Exception {
    start();
    String t = token(MAIN_PUSH);
    String a = action("main");
    assertThat(put("", a, "built on main", t)).isEqualTo(204);
    assertThat(get("action/" + a, t).body()).isEqualTo("built on main");
    assertThat(get("ns/main/action/" + a, t).body()).isEqualTo("built on main");
    assertThat(accessLog())
        .contains(" - oidc:acme/app@refs/heads/main [")
        .contains("\"PUT /" + a + "/");
  }

  @Test
  void prToken_writesOnlyItsPrNamespace_andReadsMain() throws Exception {
    start();
    String main = token(MAIN_PUSH);
    String pr = token(PR_12);
    String fromMain = action("from main");
    String fromPr = action("from pr");
    assertThat(put("", fromMain, "main body", main)).isEqualTo(204);
    assertThat(put("", fromPr, "pr body", pr)).isEqualTo(204);
    assertThat(put("ns/pr-12/", fromPr, "pr body", pr)).isEqualTo(204);
    assertThat(put("ns/main/", fromPr, "pr body", pr)).isEqualTo(403);
    assertThat(put("ns/pr-13/", fromPr, "pr body", pr)).isEqualTo(403);
    assertThat(get("action/" + fromPr, pr).body()).isEqualTo("pr body");
    assertThat(get("action/" + fromMain, pr).body()).as("a PR reads main").isEqualTo("main body");
    assertThat(get("action/" + fromPr, main).statusCode())
        .as("main never sees pr-12")
        .isEqualTo(404);
    assertThat(Files.isDirectory(tmp.resolve("store").resolve("ns").resolve("pr-12"))).isTrue();
    assertThat(accessLog()).contains(" - oidc:acme/app@refs/pull/12/merge [");
  }

  @Test
  void prToken_cannotPoisonMain_forTheSameActionId() throws Exception {
    start();
    String main = token(MAIN_PUSH);
    String pr = token(PR_12);
    String same = action("same action id");
    assertThat(put("", same, "trusted", main)).isEqualTo(204);
    assertThat(put("", same, "poisoned", pr)).isEqualTo(204);
    assertThat(put("ns/main/", same, "poisoned", pr)).isEqualTo(403);
    assertThat(get("action/" + same, main).body()).isEqualTo("trusted");
    assertThat(get("action/" + same, pr).body())
        .as("the PR sees its own entry")
        .isEqualTo("poisoned");
    // and in the other order: a PR first, then main still misses
    String first = action("pr first");
    assertThat(put("", first, "poisoned", pr)).isEqualTo(204);
    assertThat(get("action/" + first, main).statusCode()).isEqualTo(404);
  }

  @Test
  void prBranchNamedMain_cannotReachMainThroughTheTemplate() throws Exception {
    Files.writeString(tmp.resolve("rules2"), "repository=acme/app -> read,write ns=${head_ref}\n");
    ClaimRules r = ClaimRules.load(tmp.resolve("rules2"));
    assertThat(r.decide(Map.of("repository", "acme/app", "head_ref", "MAIN")).principal()).isNull();
    assertThat(
            r.decide(Map.of("repository", "acme/app", "head_ref", "feature/x")).principal().home())
        .isEqualTo("feature-x");
  }

  @Test
  void tokenMatchingNoRule_is403() throws Exception {
    start();
    String other =
        token(Map.of("repository", "evil/fork", "ref", "refs/heads/main", "event_name", "push"));
    assertThat(read(other)).isEqualTo(403);
    assertThat(put("", action("x"), "x", other)).isEqualTo(403);
    String tools = token(Map.of("repository", "acme/tools", "ref", "refs/heads/main"));
    assertThat(read(tools)).isEqualTo(404);
    assertThat(put("", action("x"), "x", tools)).as("read-only rule").isEqualTo(403);
    assertThat(read("eyJhbGciOiJub25lIn0.e30.")).isEqualTo(401);
    assertThat(scrape())
        .contains("progcache_oidc_tokens_total{outcome=\"no_rule\"} 2.0")
        .contains("progcache_oidc_tokens_total{outcome=\"accepted\"} 2.0")
        .contains("progcache_oidc_tokens_total{outcome=\"refused\"} 1.0");
  }

  @Test
  void expiredToken_is401() throws Exception {
    start();
    String t =
        issuer.token(
            AUD,
            clock.instant(),
            MAIN_PUSH,
            b -> b.expirationTime(Date.from(clock.instant().minusSeconds(31))));
    assertThat(read(t)).isEqualTo(401);
    assertThat(get("action/" + action("probe"), t).body()).contains("expired");
    String within =
        issuer.token(
            AUD,
            clock.instant(),
            MAIN_PUSH,
            b -> b.expirationTime(Date.from(clock.instant().minusSeconds(20))));
    assertThat(read(within)).as("within the clock skew").isEqualTo(404);
    String fresh = token(MAIN_PUSH);
    clock.advance(Duration.ofMinutes(11));
    assertThat(read(fresh)).as("expired by the clock").isEqualTo(401);
  }

  @Test
  void notYetValidToken_is401() throws Exception {
    start();
    String t =
        issuer.token(
            AUD,
            clock.instant(),
            MAIN_PUSH,
            b -> b.notBeforeTime(Date.from(clock.instant().plusSeconds(120))));
    assertThat(read(t)).isEqualTo(401);
    clock.advance(Duration.ofSeconds(100));
    assertThat(read(t)).as("valid once nbf minus skew has passed").isEqualTo(404);
  }

  @Test
  void forgedToken_signedByAnotherKey_is401() throws Exception {
    start();
    RSAKey other = FakeIssuer.newKey(issuer.signingKey().getKeyID());
    String forged = issuer.sign(issuer.claims(AUD, clock.instant(), MAIN_PUSH), other);
    assertThat(read(forged)).isEqualTo(401);
    String unknownKid =
        issuer.sign(issuer.claims(AUD, clock.instant(), MAIN_PUSH), FakeIssuer.newKey("attacker"));
    assertThat(read(unknownKid)).isEqualTo(401);
    assertThat(read(token(MAIN_PUSH))).isEqualTo(404);
  }

  @Test
  void wrongAudience_is401() throws Exception {
    start();
    String t = issuer.sign(issuer.claims("someone-else", clock.instant(), MAIN_PUSH));
    assertThat(read(t)).isEqualTo(401);
    assertThat(get("action/" + action("probe"), t).body()).contains("audience");
  }

  @Test
  void wrongIssuer_is401() throws Exception {
    start();
    String t =
        issuer.token(AUD, clock.instant(), MAIN_PUSH, b -> b.issuer(issuer.issuer() + "/other"));
    assertThat(read(t)).isEqualTo(401);
  }

  @Test
  void algNone_is401() throws Exception {
    start();
    String t =
        issuer.remember(
            new PlainJWT(issuer.claims(AUD, clock.instant(), MAIN_PUSH).build()).serialize());
    assertThat(read(t)).isEqualTo(401);
    assertThat(put("", action("none"), "x", t)).isEqualTo(401);
  }

  @Test
  void hs256WithThePublicKeyAsSecret_is401() throws Exception {
    start();
    RSAKey pub = issuer.signingKey().toPublicJWK();
    SignedJWT j =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(pub.getKeyID()).build(),
            issuer.claims(AUD, clock.instant(), MAIN_PUSH).build());
    j.sign(new MACSigner(pub.toRSAPublicKey().getEncoded()));
    String t = issuer.remember(j.serialize());
    assertThat(read(t)).isEqualTo(401);
    assertThat(get("action/" + action("probe"), t).body()).contains("algorithm");
  }

  @Test
  void unknownKid_triggersOneRefetch_soKeyRotationWorks() throws Exception {
    start();
    assertThat(read(token(MAIN_PUSH))).isEqualTo(404);
    assertThat(issuer.jwksRequests()).isEqualTo(1);
    assertThat(read(token(MAIN_PUSH))).isEqualTo(404);
    assertThat(issuer.jwksRequests()).as("keys are cached").isEqualTo(1);

    RSAKey next = FakeIssuer.newKey("key-2");
    issuer.rotate(next, issuer.signingKey());
    clock.advance(Duration.ofSeconds(11));
    String rotated = token(MAIN_PUSH);
    assertThat(read(rotated)).isEqualTo(404);
    assertThat(issuer.jwksRequests()).as("one refetch for the new key id").isEqualTo(2);

    // made-up key ids do not make the server hammer the issuer
    for (int i = 0; i < 5; i++) {
      String bogus =
          issuer.sign(
              issuer.claims(AUD, clock.instant(), MAIN_PUSH), FakeIssuer.newKey("bogus-" + i));
      assertThat(read(bogus)).isEqualTo(401);
    }
    assertThat(issuer.jwksRequests()).as("rate limited").isEqualTo(2);
    assertThat(scrape()).contains("progcache_oidc_key_fetches_total 3.0");
    assertThat(read(rotated)).isEqualTo(404);
  }

  @Test
  void jwksServerDown_is401_andServerStaysUp() throws Exception {
    issuer.down(true);
    start();
    String t = token(MAIN_PUSH);
    assertThat(read(t)).isEqualTo(401);
    assertThat(get("action/" + action("probe"), t).body()).contains("signing keys are unavailable");
    assertThat(get("healthz", null).statusCode()).isEqualTo(200);
    assertThat(read(t)).as("no new fetch within the interval, still refused").isEqualTo(401);
    issuer.down(false);
    clock.advance(Duration.ofSeconds(11));
    assertThat(read(t)).as("recovers once the issuer answers").isEqualTo(404);
    issuer.close(); // now refusing connections (closed again after the test: harmless)
    clock.advance(Duration.ofHours(2));
    String later = token(MAIN_PUSH);
    assertThat(read(later)).as("the keys held before stay in use").isEqualTo(404);
    assertThat(err.text()).contains("cannot fetch the OIDC signing keys");
  }

  @Test
  void jwksServerHanging_is401_withinTheFetchTimeout() throws Exception {
    try (java.net.ServerSocket silent =
        new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      start("http://127.0.0.1:" + silent.getLocalPort() + "/jwks", 256, Duration.ofMillis(500));
      long t0 = System.nanoTime();
      assertThat(read(token(MAIN_PUSH))).isEqualTo(401);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
      assertThat(get("healthz", null).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void explicitJwksUrl_isUsedWithoutDiscovery() throws Exception {
    start(issuer.issuer() + "/jwks", 256, Duration.ofSeconds(5));
    assertThat(read(token(MAIN_PUSH))).isEqualTo(404);
    assertThat(issuer.jwksRequests()).isEqualTo(1);
  }

  @Test
  void maxNamespaces_writeCreatingOneMore_is507_andReadsCreateNothing() throws Exception {
    start(null, 2, Duration.ofSeconds(5));
    for (int pr = 1; pr <= 2; pr++) {
      String t =
          token(
              Map.of(
                  "repository",
                  "acme/app",
                  "ref",
                  "refs/pull/" + pr + "/merge",
                  "event_name",
                  "pull_request"));
      assertThat(put("", action("n" + pr), "body " + pr, t)).isEqualTo(204);
    }
    String third =
        token(
            Map.of(
                "repository",
                "acme/app",
                "ref",
                "refs/pull/3/merge",
                "event_name",
                "pull_request"));
    assertThat(read(third)).as("reading an unknown namespace is a miss").isEqualTo(404);
    assertThat(Files.exists(tmp.resolve("store").resolve("ns").resolve("pr-3"))).isFalse();
    assertThat(put("", action("n3"), "body 3", third)).isEqualTo(507);
    assertThat(put("", action("n4"), "body 4", token(MAIN_PUSH)))
        .as("main is not limited")
        .isEqualTo(204);
    String again =
        token(
            Map.of(
                "repository",
                "acme/app",
                "ref",
                "refs/pull/1/merge",
                "event_name",
                "pull_request"));
    assertThat(put("", action("n5"), "body 5", again))
        .as("existing namespaces still take writes")
        .isEqualTo(204);
    assertThat(Files.exists(tmp.resolve("store").resolve("ns").resolve("pr-3"))).isFalse();

    // namespaces already on disk count after a restart
    server.close();
    start(null, 2, Duration.ofSeconds(5));
    assertThat(put("", action("n3"), "body 3", third)).isEqualTo(507);
  }

  @Test
  void opaqueBearerToken_withOidcOnly_is401() throws Exception {
    start();
    assertThat(read("not-a-jwt-0123456789abcdef0123456789abcdef")).isEqualTo(401);
    assertThat(read(null)).isEqualTo(401);
    assertThat(read("eyJhbGciOiJSUzI1NiJ9.eyJ9.AAAA")).isEqualTo(401);
  }

  @Test
  void s48_jwksRefetch_neverBlocksRequestsWhoseKeyIsKnown() throws Exception {
    start(null, 256, Duration.ofSeconds(4));
    assertThat(read(token(MAIN_PUSH))).isEqualTo(404); // keys fetched
    clock.advance(Duration.ofHours(2)); // the set is old: due for a refetch
    issuer.slow(Duration.ofSeconds(3));
    long t0 = System.nanoTime();
    for (int i = 0; i < 5; i++) {
      assertThat(read(token(MAIN_PUSH))).isEqualTo(404);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(1500));
  }

  @Test
  void s48_oidcTemplate_cannotResolveToANamespaceOfAStaticToken() throws Exception {
    Path tokens =
        Files.writeString(
            tmp.resolve("tokens"),
            "sha256:"
                + HexFormat.of().formatHex(Tokens.sha256("static-token-0123456789"))
                + " read,write ns=pr-7 name=team\n");
    Path rules = Files.writeString(tmp.resolve("rules"), RULES);
    OidcSettings o =
        OidcSettings.of(issuer.issuer(), AUD, null, rules.toString(), Duration.ofSeconds(30));
    ServeConfig.Limits l =
        new ServeConfig.Limits(1 << 30, 1 << 20, 64, Duration.ofSeconds(10), 8192, 4096);
    server =
        CacheServer.start(
            ServeConfig.onDisk("127.0.0.1", 0, tmp.resolve("store"), tokens, l, true)
                .withTrust(ServeConfig.Trust.DEFAULT.withOidc(o)),
            err,
            clock);
    String pr7 =
        token(
            Map.of(
                "repository",
                "acme/app",
                "ref",
                "refs/pull/7/merge",
                "event_name",
                "pull_request"));
    assertThat(put("", action("x"), "poison", pr7)).isEqualTo(403);
    assertThat(read(pr7)).isEqualTo(403);
    String pr8 =
        token(
            Map.of(
                "repository",
                "acme/app",
                "ref",
                "refs/pull/8/merge",
                "event_name",
                "pull_request"));
    assertThat(put("", action("x"), "fine", pr8)).isEqualTo(204);
    assertThat(get("action/" + action("x"), "static-token-0123456789").statusCode()).isEqualTo(404);
  }
}
