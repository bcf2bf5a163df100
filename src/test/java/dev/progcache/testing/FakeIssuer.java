package dev.progcache.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An OIDC issuer on loopback: {@code /.well-known/openid-configuration} naming {@code /jwks}, whose
 * key set the test can change (key rotation) or stop serving. Signs GitHub-Actions-like id-tokens
 * with keys made here, and remembers every token it made so tests can look for them in output.
 */
public final class FakeIssuer implements AutoCloseable {
  private final HttpServer server;
  private final AtomicInteger jwksRequests = new AtomicInteger();
  private final List<String> issued = Collections.synchronizedList(new ArrayList<>());
  private volatile List<RSAKey> published;
  private volatile RSAKey signing;
  private volatile boolean down;
  private volatile long slowMillis;
  private volatile Map<String, String> nextClaims = Map.of();
  private final AtomicInteger tokenRequests = new AtomicInteger();

  /** The bearer token the job's token service wants (ACTIONS_ID_TOKEN_REQUEST_TOKEN). */
  public static final String REQUEST_TOKEN = "fake-actions-request-token-7f3a9c";

  public FakeIssuer() throws IOException, JOSEException {
    signing = newKey("key-1");
    published = List.of(signing);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/.well-known/openid-configuration", this::discovery);
    server.createContext("/jwks", this::jwks);
    server.createContext("/token", this::token);
    server.start();
  }

  public static RSAKey newKey(String kid) throws JOSEException {
    return new RSAKeyGenerator(2048).keyID(kid).generate();
  }

  /** The issuer URL ({@code iss}). */
  public String issuer() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public int jwksRequests() {
    return jwksRequests.get();
  }

  /** Every token made, for scanning output. */
  public List<String> issued() {
    return List.copyOf(issued);
  }

  /** Publishes {@code keys} from now on and signs with the first. */
  public void rotate(RSAKey... keys) {
    signing = keys[0];
    published = List.of(keys);
  }

  /** Key set requests take this long to answer from now on (the issuer is overloaded). */
  public void slow(java.time.Duration d) {
    slowMillis = d.toMillis();
  }

  /** Whether key set requests fail with 503 (the issuer is down). */
  public void down(boolean d) {
    down = d;
  }

  public RSAKey signingKey() {
    return signing;
  }

  /** Claims of a GitHub Actions token for {@code audience}, valid from now for ten minutes. */
  public JWTClaimsSet.Builder claims(String audience, Instant now, Map<String, String> extra) {
    JWTClaimsSet.Builder b =
        new JWTClaimsSet.Builder()
            .issuer(issuer())
            .audience(audience)
            .subject(
                "repo:"
                    + extra.getOrDefault("repository", "acme/app")
                    + ":ref:"
                    + extra.getOrDefault("ref", ""))
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(600)));
    extra.forEach(b::claim);
    return b;
  }

  /** Signs {@code claims} RS256 with the current key. */
  public String sign(JWTClaimsSet.Builder claims) throws JOSEException {
    return sign(claims, signing);
  }

  /** Signs {@code claims} RS256 with {@code key} (naming its key id). */
  public String sign(JWTClaimsSet.Builder claims, RSAKey key) throws JOSEException {
    SignedJWT j =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
            claims.build());
    j.sign(new RSASSASigner(key));
    return remember(j.serialize());
  }

  /** Adds a token made elsewhere to those looked for in output. */
  public String remember(String token) {
    issued.add(token);
    return token;
  }

  /** Also modifies the claims of a fresh builder: a shortcut for one-off tokens. */
  public String token(
      String audience, Instant now, Map<String, String> extra, Consumer<JWTClaimsSet.Builder> edit)
      throws JOSEException {
    JWTClaimsSet.Builder b = claims(audience, now, extra);
    edit.accept(b);
    return sign(b);
  }

  /** Claims of the tokens {@code /token} gives from now on (GitHub Actions' token service). */
  public void nextClaims(Map<String, String> claims) {
    nextClaims = Map.copyOf(claims);
  }

  public int tokenRequests() {
    return tokenRequests.get();
  }

  /** The job's {@code ACTIONS_ID_TOKEN_REQUEST_URL}. */
  public String tokenUrl() {
    return issuer() + "/token?api-version=2.0";
  }

  /** Like GitHub's service: the request token as bearer, {@code audience} in the query. */
  private void token(HttpExchange x) throws IOException {
    tokenRequests.incrementAndGet();
    if (!("Bearer " + REQUEST_TOKEN).equals(x.getRequestHeaders().getFirst("Authorization"))) {
      send(x, 401, "{\"message\":\"bad request token\"}");
      return;
    }
    String audience = null;
    for (String kv : String.valueOf(x.getRequestURI().getRawQuery()).split("&")) {
      if (kv.startsWith("audience=")) {
        audience = java.net.URLDecoder.decode(kv.substring(9), StandardCharsets.UTF_8);
      }
    }
    if (audience == null) {
      send(x, 400, "{\"message\":\"no audience\"}");
      return;
    }
    try {
      String t = sign(claims(audience, Instant.now(), nextClaims));
      send(x, 200, "{\"count\":1,\"value\":\"" + t + "\"}");
    } catch (JOSEException e) {
      send(x, 500, "{}");
    }
  }

  private void discovery(HttpExchange x) throws IOException {
    String body = "{\"issuer\":\"" + issuer() + "\",\"jwks_uri\":\"" + issuer() + "/jwks\"}";
    send(x, down ? 503 : 200, body);
  }

  private void jwks(HttpExchange x) throws IOException {
    jwksRequests.incrementAndGet();
    try {
      Thread.sleep(slowMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<com.nimbusds.jose.jwk.JWK> pub = new ArrayList<>();
    published.forEach(k -> pub.add(k.toPublicJWK()));
    send(x, down ? 503 : 200, new JWKSet(pub).toString());
  }

  private static void send(HttpExchange x, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "application/json");
    x.sendResponseHeaders(status, b.length);
    x.getResponseBody().write(b);
    x.close();
  }

  /** Stops answering at all (connections refused). */
  @Override
  public void close() {
    server.stop(0);
  }
}
