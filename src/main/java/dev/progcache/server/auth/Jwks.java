package dev.progcache.server.auth;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The issuer's signing keys, fetched from its JWK set URL (given, or discovered from {@code
 * <issuer>/.well-known/openid-configuration}) and kept in memory.
 *
 * <p>The set is fetched on first use, again when a token names a key it does not hold (a key
 * rotation) and when it is an hour old; never more than once per refetch interval, so tokens with
 * made-up key ids cannot make the server hammer the issuer. Each request is bounded by the fetch
 * timeout and answers are limited to 1 MiB. A failed fetch keeps the keys held before and is
 * reported on stderr once until a fetch succeeds again. Thread-safe. A caller whose key is held
 * never waits (an hour-old set is refreshed in the background); a caller whose key is not held may
 * block for up to two fetch timeouts (discovery and key set).
 */
public final class Jwks implements AutoCloseable {
  private static final int MAX_BODY = 1 << 20;
  private static final Duration MAX_AGE = Duration.ofHours(1);

  private final OidcSettings settings;
  private final Clock clock;
  private final PrintStream err;
  private final HttpClient http;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicLong fetches = new AtomicLong();
  private volatile @Nullable JWKSet keys;
  private @Nullable URI jwksUri;
  private @Nullable Instant lastAttempt;
  private volatile @Nullable Instant fetched;
  private boolean failing;

  Jwks(OidcSettings settings, Clock clock, PrintStream err) {
    this.settings = settings;
    this.clock = clock;
    this.err = err;
    this.jwksUri = settings.jwks();
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(settings.fetchTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * The keys with id {@code kid} (every key when null), fetching the set first when it is missing,
   * old, or lacks {@code kid} and the refetch interval allows. Empty when there are none.
   */
  List<JWK> find(@Nullable String kid) {
    JWKSet k = keys;
    List<JWK> known = k == null ? List.of() : matching(k, kid);
    if (!known.isEmpty()) {
      if (old()) {
        refreshInBackground(); // the key is known: this request never waits for the issuer
      }
      return known;
    }
    lock.lock();
    try {
      k = keys;
      boolean need = k == null || matching(k, kid).isEmpty() || old();
      if (need && mayFetch()) {
        refresh();
        k = keys;
      }
      return k == null ? List.of() : matching(k, kid);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Refreshes an old set on a virtual thread of its own, unless a fetch is under way or the refetch
   * interval does not allow one yet.
   */
  private void refreshInBackground() {
    if (!lock.tryLock()) {
      return;
    }
    try {
      if (!old() || !mayFetch()) {
        return;
      }
      lastAttempt = clock.instant(); // claims the attempt before the thread runs
    } finally {
      lock.unlock();
    }
    Thread.ofVirtual()
        .name("progcache-oidc-keys")
        .start(
            () -> {
              lock.lock();
              try {
                refresh();
              } finally {
                lock.unlock();
              }
            });
  }

  /** Whether a key set was ever fetched. */
  boolean loaded() {
    return keys != null;
  }

  /** How many key set (and discovery) requests were made. */
  public long fetches() {
    return fetches.get();
  }

  private static List<JWK> matching(JWKSet set, @Nullable String kid) {
    return kid == null
        ? set.getKeys()
        : set.getKeys().stream().filter(j -> kid.equals(j.getKeyID())).toList();
  }

  private boolean old() {
    Instant f = fetched;
    return f != null && clock.instant().isAfter(f.plus(MAX_AGE));
  }

  private boolean mayFetch() {
    Instant now = clock.instant();
    return lastAttempt == null || !now.isBefore(lastAttempt.plus(settings.refetchInterval()));
  }

  /** Fetches the set (discovering its URL first if needed); keeps the old one on failure. */
  private void refresh() {
    lastAttempt = clock.instant();
    URI at = jwksUri;
    try {
      if (at == null) {
        at = discover();
        jwksUri = at;
      }
      JWKSet set = JWKSet.parse(get(at));
      keys = set;
      fetched = clock.instant();
      if (failing || set.getKeys().isEmpty()) {
        err.println(
            "progcache serve: OIDC keys fetched from "
                + at
                + " ("
                + set.getKeys().size()
                + " keys)");
      }
      failing = false;
    } catch (IOException | ParseException | RuntimeException e) {
      if (!failing) {
        err.println(
            "progcache serve: cannot fetch the OIDC signing keys of "
                + settings.issuer()
                + (at == null ? "" : " from " + at)
                + ": "
                + e.getMessage()
                + "; tokens that need them are refused (401) until the issuer answers");
        failing = true;
      }
    }
  }

  /** The {@code jwks_uri} of the issuer's metadata, which must name the same issuer. */
  private URI discover() throws IOException, ParseException {
    URI d = settings.discovery();
    Map<String, Object> meta = JSONObjectUtils.parse(get(d));
    Object iss = meta.get("issuer");
    if (!settings.issuer().equals(iss)) {
      throw new IOException(d + " names another issuer; check --oidc-issuer");
    }
    if (!(meta.get("jwks_uri") instanceof String s)) {
      throw new IOException(d + " has no jwks_uri; give --oidc-jwks URL");
    }
    URI u = URI.create(s);
    boolean https = "https".equalsIgnoreCase(u.getScheme());
    if (!https && !"http".equalsIgnoreCase(settings.discovery().getScheme())) {
      throw new IOException(d + " names a jwks_uri that is not https");
    }
    return u;
  }

  /** GETs {@code u}: status 200 and at most 1 MiB, all within the fetch timeout. */
  private String get(URI u) throws IOException {
    fetches.incrementAndGet();
    Thread caller = Thread.currentThread();
    AtomicBoolean over = new AtomicBoolean();
    Thread dog =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    Thread.sleep(settings.fetchTimeout());
                  } catch (InterruptedException e) {
                    return;
                  }
                  if (over.compareAndSet(false, true)) {
                    caller.interrupt();
                  }
                });
    try {
      return fetch(u);
    } catch (InterruptedIOException e) {
      throw over.get()
          ? new IOException(
              "no answer within " + settings.fetchTimeout().toMillis() + " ms from " + u)
          : e;
    } finally {
      if (!over.compareAndSet(false, true)) {
        // the watchdog fired: wait for its interrupt, then clear it
        try {
          dog.join();
        } catch (InterruptedException e) {
          // cleared below
        }
        Thread.interrupted();
      }
      dog.interrupt();
    }
  }

  private String fetch(URI u) throws IOException {
    HttpRequest r =
        HttpRequest.newBuilder(u)
            .timeout(settings.fetchTimeout())
            .header("Accept", "application/json")
            .GET()
            .build();
    HttpResponse<InputStream> resp;
    try {
      resp = http.send(r, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      throw new InterruptedIOException("interrupted while fetching " + u);
    }
    try (InputStream in = resp.body()) {
      if (resp.statusCode() != 200) {
        throw new IOException("HTTP " + resp.statusCode() + " from " + u);
      }
      byte[] b = in.readNBytes(MAX_BODY + 1);
      if (b.length > MAX_BODY) {
        throw new IOException(u + " answered more than " + MAX_BODY + " bytes");
      }
      return new String(b, StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    http.shutdownNow();
  }
}
