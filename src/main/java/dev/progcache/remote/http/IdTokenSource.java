package dev.progcache.remote.http;

import dev.progcache.remote.Background;
import dev.progcache.remote.RemoteException;
import dev.progcache.remote.RemoteException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * An OIDC id-token from GitHub Actions' token service: {@code GET
 * $ACTIONS_ID_TOKEN_REQUEST_URL&audience=AUD} with {@code ACTIONS_ID_TOKEN_REQUEST_TOKEN} as
 * bearer, answered by {@code {"value":"<jwt>"}}.
 *
 * <p>The first fetch starts on a virtual thread at {@link #warmUp} (or the first {@link #bearer}),
 * so the helper's handshake never waits for it and a build that never asks the server never fetches
 * one; {@link #bearer} waits for a fetch at most the fetch timeout. The token is kept until a
 * minute before its {@code exp}, then fetched again. When it cannot be had (variables missing,
 * service down, bad answer) {@link #bearer} throws {@link Kind#NO_CREDENTIALS} with one clear
 * message, and keeps doing so without new requests. Thread-safe; no token or request token ever
 * appears in a message.
 */
public final class IdTokenSource implements Credentials {
  /**
   * Where to ask, as GitHub Actions gives it to a job with {@code permissions: id-token: write}.
   *
   * @param url {@code ACTIONS_ID_TOKEN_REQUEST_URL}, or null when the job does not have it
   * @param requestToken {@code ACTIONS_ID_TOKEN_REQUEST_TOKEN}, or null
   * @param audience the audience the server expects
   */
  public record Request(@Nullable String url, @Nullable String requestToken, String audience) {
    @Override
    public String toString() {
      return "id-token request for audience " + audience;
    }
  }

  private static final JsonFactory JSON = new JsonFactory();
  private static final int MAX_BODY = 64 * 1024;
  private static final Duration EARLY = Duration.ofSeconds(60);

  private final Request request;
  private final Duration timeout;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile Background<String> pending;
  private volatile @Nullable Instant refreshAt;
  private volatile @Nullable String failure;

  /** Fetches nothing yet; each fetch is bounded by {@code timeout}. */
  public IdTokenSource(Request request, Duration timeout, Clock clock) {
    this.request = request;
    this.timeout = timeout;
    this.clock = clock;
    this.pending = fetcher();
  }

  private Background<String> fetcher() {
    return new Background<>("progcache-id-token", this::fetch);
  }

  @Override
  public void warmUp() {
    pending.start();
  }

  @Override
  public Optional<String> bearer() throws RemoteException {
    String why = failure;
    if (why != null) {
      throw new RemoteException(Kind.NO_CREDENTIALS, why);
    }
    Instant at = refreshAt;
    if (at != null && !clock.instant().isBefore(at)) {
      lock.lock();
      try {
        if (pending.isDone() && refreshAt != null && !clock.instant().isBefore(refreshAt)) {
          refreshAt = null;
          pending = fetcher();
        }
      } finally {
        lock.unlock();
      }
    }
    return Optional.of(await(pending));
  }

  private String await(Background<String> f) throws RemoteException {
    try {
      return f.get(timeout.toMillis() + 1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RemoteException(Kind.FAILED, "interrupted while waiting for the OIDC id-token");
    } catch (TimeoutException e) {
      throw fail("the token service did not answer within " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof RemoteException r ? r : fail(String.valueOf(c.getMessage()));
    }
  }

  private RemoteException fail(String why) {
    String msg =
        "cannot get an OIDC id-token for PROGCACHE_OIDC_AUDIENCE="
            + request.audience()
            + ": "
            + why;
    failure = msg;
    return new RemoteException(Kind.NO_CREDENTIALS, msg);
  }

  private String fetch() throws RemoteException {
    if (request.url() == null
        || request.url().isBlank()
        || request.requestToken() == null
        || request.requestToken().isBlank()) {
      throw fail(
          "ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set; give the job"
              + " `permissions: id-token: write` (GitHub Actions), or set PROGCACHE_TOKEN instead");
    }
    String base = request.url().strip();
    URI u;
    try {
      u =
          URI.create(
              base
                  + (base.contains("?") ? "&" : "?")
                  + "audience="
                  + URLEncoder.encode(request.audience(), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw fail("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL");
    }
    HttpClient http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    try {
      HttpRequest r =
          HttpRequest.newBuilder(u)
              .timeout(timeout)
              .header("Authorization", "Bearer " + request.requestToken())
              .header("Accept", "application/json")
              .GET()
              .build();
      HttpResponse<InputStream> resp = http.send(r, HttpResponse.BodyHandlers.ofInputStream());
      byte[] body;
      try (InputStream in = resp.body()) {
        body = in.readNBytes(MAX_BODY + 1);
      }
      if (resp.statusCode() != 200) {
        throw fail("the token service answered HTTP " + resp.statusCode());
      }
      if (body.length > MAX_BODY) {
        throw fail("the token service's answer is over " + MAX_BODY + " bytes");
      }
      String token = value(body);
      refreshAt = expiry(token).map(e -> e.minus(EARLY)).orElse(null);
      return token;
    } catch (IOException e) {
      if (e instanceof RemoteException r) {
        throw r;
      }
      throw fail(
          "the token service failed: "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : " " + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw fail("interrupted");
    } finally {
      http.shutdownNow();
    }
  }

  /** The {@code value} of the answer. */
  private String value(byte[] json) throws RemoteException {
    try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), json)) {
      if (p.nextToken() == JsonToken.START_OBJECT) {
        for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
          String name = p.currentName();
          JsonToken v = p.nextToken();
          if (name.equals("value") && v == JsonToken.VALUE_STRING && !p.getString().isBlank()) {
            return p.getString().strip();
          }
          p.skipChildren();
        }
      }
    } catch (JacksonException e) {
      throw fail("the token service's answer is not JSON");
    }
    throw fail("the token service's answer has no \"value\"");
  }

  /** The {@code exp} of a JWT, read without verifying it (the server verifies). */
  static Optional<Instant> expiry(String jwt) {
    String[] parts = jwt.split("\\.");
    if (parts.length < 2) {
      return Optional.empty();
    }
    try (JsonParser p =
        JSON.createParser(ObjectReadContext.empty(), Base64.getUrlDecoder().decode(parts[1]))) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Optional.empty();
      }
      for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (name.equals("exp") && v == JsonToken.VALUE_NUMBER_INT) {
          return Optional.of(Instant.ofEpochSecond(p.getLongValue()));
        }
        p.skipChildren();
      }
    } catch (JacksonException | IllegalArgumentException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return request.toString();
  }
}
