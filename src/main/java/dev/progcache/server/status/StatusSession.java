package dev.progcache.server.status;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.jspecify.annotations.Nullable;

/**
 * Browser sessions for the status page, so a browser can open it without a header-adding proxy.
 * {@code POST /signin} takes a token from a form; when it may read, the server keeps the token in
 * memory under a new random session id and sets that id, never the token, in a cookie: {@code
 * HttpOnly} (no script reads it), {@code SameSite=Strict} (no other site's page sends it), {@code
 * Secure} when the request came over TLS (also through a proxy, {@link #overTls}), {@code Path=/},
 * for {@value #TTL_HOURS} hours. Each page view checks the kept token again, so the page shows what
 * the token's grants allow now (a token removed from the tokens file or an expired OIDC token ends
 * the session). {@code POST /signout} forgets the session and clears the cookie.
 *
 * <p>The cookie opens {@code /} and {@code /status.json} only: the cache's routes and {@code
 * /metrics} take tokens, never the cookie. Sessions live in memory (a restart signs everyone out),
 * at most {@value #MAX_SESSIONS}, the oldest forgotten first. A sign-in or sign-out from another
 * origin ({@code Origin} or {@code Sec-Fetch-Site} says so) is refused.
 *
 * <p>Thread-safe.
 */
public final class StatusSession {
  public static final String SIGN_IN = "/signin";
  public static final String SIGN_OUT = "/signout";
  public static final String COOKIE = "progcache_session";
  static final long TTL_HOURS = 8;
  static final int MAX_SESSIONS = 10_000;

  /**
   * A form body longer than this is no sign-in (tokens are under 100 characters, JWTs a few KiB).
   */
  static final int MAX_FORM = 16 << 10;

  private record Session(String authorization, long expiresMillis) {}

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;

  public StatusSession(Clock clock) {
    this.clock = clock;
  }

  /**
   * The {@code Authorization} value a request stands for: its own header, else the one kept for its
   * session cookie; null for neither (or an expired or unknown session).
   */
  @Nullable String authorization(Request req) {
    String header = req.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (header != null) {
      return header;
    }
    Optional<String> id = sessionId(req);
    if (id.isEmpty()) {
      return null;
    }
    Session s = sessions.get(id.get());
    if (s == null || s.expiresMillis() < clock.millis()) {
      sessions.remove(id.get());
      return null;
    }
    return s.authorization();
  }

  /** Whether the request carries a session cookie (signed in through the form). */
  boolean signedIn(Request req) {
    return req.getHeaders().get(HttpHeader.AUTHORIZATION) == null && authorization(req) != null;
  }

  /** The token in a sign-in form's urlencoded body, or empty. */
  static Optional<String> tokenOf(String form) {
    for (String pair : form.split("&")) {
      if (pair.startsWith("token=")) {
        String t = URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8).strip();
        return t.isEmpty() ? Optional.empty() : Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** Starts a session for {@code token} (already checked); returns its cookie. */
  HttpCookie start(String token, boolean secure) {
    if (sessions.size() >= MAX_SESSIONS) {
      forgetExpiredOrOldest();
    }
    byte[] b = new byte[32];
    random.nextBytes(b);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    Duration ttl = Duration.ofHours(TTL_HOURS);
    sessions.put(id, new Session("Bearer " + token, clock.millis() + ttl.toMillis()));
    return cookie(id, ttl.toSeconds(), secure);
  }

  /** Ends the request's session, if any; returns the cookie that clears it in the browser. */
  HttpCookie end(Request req, boolean secure) {
    sessionId(req).ifPresent(sessions::remove);
    return cookie("", 0, secure);
  }

  /**
   * Whether a form post comes from this server's own pages (or from no browser page at all). The
   * browser's {@code Sec-Fetch-Site} decides when sent (it survives a proxy that rewrites {@code
   * Host}); else {@code Origin} must name this host, as the client or a proxy ({@code
   * X-Forwarded-Host}) gave it.
   */
  static boolean sameOrigin(Request req) {
    String site = req.getHeaders().get("Sec-Fetch-Site");
    if (site != null) {
      return site.equals("same-origin") || site.equals("none");
    }
    String origin = req.getHeaders().get(HttpHeader.ORIGIN);
    if (origin == null) {
      return true;
    }
    for (String host :
        new String[] {
          req.getHeaders().get("X-Forwarded-Host"), req.getHeaders().get(HttpHeader.HOST)
        }) {
      if (host != null && (origin.equals("http://" + host) || origin.equals("https://" + host))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the browser reached the server over TLS: on this connection, or, as {@code serve} runs
   * behind a TLS-terminating proxy, by the proxy's {@code X-Forwarded-Proto} or {@code Forwarded}
   * header. Trusting the header can only make the cookie stricter.
   */
  static boolean overTls(Request req) {
    String proto = req.getHeaders().get("X-Forwarded-Proto");
    String fwd = req.getHeaders().get(HttpHeader.FORWARDED);
    return req.isSecure()
        || "https".equalsIgnoreCase(proto)
        || (fwd != null && fwd.toLowerCase(java.util.Locale.ROOT).contains("proto=https"));
  }

  private static HttpCookie cookie(String value, long maxAgeSeconds, boolean secure) {
    return HttpCookie.build(COOKIE, value)
        .path("/")
        .maxAge(maxAgeSeconds)
        .httpOnly(true)
        .secure(secure)
        .sameSite(HttpCookie.SameSite.STRICT)
        .build();
  }

  private static Optional<String> sessionId(Request req) {
    for (HttpCookie c : Request.getCookies(req)) {
      if (c.getName().equals(COOKIE) && !c.getValue().isEmpty()) {
        return Optional.of(c.getValue());
      }
    }
    return Optional.empty();
  }

  private void forgetExpiredOrOldest() {
    long now = clock.millis();
    sessions.values().removeIf(s -> s.expiresMillis() < now);
    Iterator<Map.Entry<String, Session>> oldest =
        sessions.entrySet().stream()
            .sorted(
                Map.Entry.comparingByValue(
                    (a, b) -> Long.compare(a.expiresMillis(), b.expiresMillis())))
            .limit(Math.max(0, sessions.size() - MAX_SESSIONS + 1))
            .toList()
            .iterator();
    oldest.forEachRemaining(e -> sessions.remove(e.getKey()));
  }
}
