package dev.progcache.remote.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.remote.BestEffort;
import dev.progcache.remote.RemoteException;
import dev.progcache.remote.RemoteLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Fetching a GitHub Actions id-token from a fake token service on loopback. */
@Timeout(30)
class IdTokenSourceTest {
  static final String REQUEST_TOKEN = "request-token-secret-0123456789";
  @TempDir Path tmp;
  private HttpServer service;
  private final List<String> queries = new CopyOnWriteArrayList<>();
  private final List<String> auth = new CopyOnWriteArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile int status = 200;
  private volatile long delayMillis;
  private final java.util.concurrent.CountDownLatch released =
      new java.util.concurrent.CountDownLatch(1);
  private volatile Instant exp = Instant.parse("2026-11-26T03:10:00Z");
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T03:00:00Z"));

  static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
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
    public Clock withZone(java.time.ZoneId z) {
      return this;
    }
  }

  /** A token-shaped value whose payload holds exp (the service's signature is not checked here). */
  static String jwt(Instant exp, int n) {
    Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
    return b.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + b.encodeToString(
            ("{\"exp\":" + exp.getEpochSecond() + ",\"n\":" + n + "}")
                .getBytes(StandardCharsets.UTF_8))
        + ".sig"
        + n;
  }

  @BeforeEach
  void start() throws Exception {
    service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    service.createContext(
        "/token",
        x -> {
          int n = requests.incrementAndGet();
          queries.add(x.getRequestURI().getRawQuery());
          auth.add(String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
          try {
            // a slow service: answers after delayMillis, or at once when the test ends
            released.await(delayMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            return;
          }
          byte[] body =
              ("{\"count\":1,\"value\":\"" + jwt(exp, n) + "\"}").getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders(status, body.length);
          x.getResponseBody().write(body);
          x.close();
        });
    service.start();
  }

  @AfterEach
  void stop() {
    released.countDown(); // stop(0) waits for a handler still running
    service.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + service.getAddress().getPort() + "/token?api-version=2.0";
  }

  private IdTokenSource source(String url, String requestToken) {
    return new IdTokenSource(
        new IdTokenSource.Request(url, requestToken, "progcache.example"),
        Duration.ofSeconds(2),
        clock);
  }

  @Test
  void fetchesWithAudienceAndRequestToken_andKeepsItUntilAMinuteBeforeExpiry() throws Exception {
    IdTokenSource s = source(url(), REQUEST_TOKEN);
    assertThat(s.bearer()).contains(jwt(exp, 1));
    assertThat(s.bearer()).contains(jwt(exp, 1));
    assertThat(requests.get()).isEqualTo(1);
    assertThat(queries.get(0)).isEqualTo("api-version=2.0&audience=progcache.example");
    assertThat(auth.get(0)).isEqualTo("Bearer " + REQUEST_TOKEN);
    assertThat(s.toString()).doesNotContain(REQUEST_TOKEN);

    clock.now = exp.minusSeconds(59);
    exp = exp.plusSeconds(600);
    assertThat(s.bearer()).contains(jwt(exp, 2));
    assertThat(requests.get()).isEqualTo(2);
  }

  @Test
  void serviceRefusing_isNoCredentials_andNotAskedAgain() {
    status = 403;
    IdTokenSource s = source(url(), REQUEST_TOKEN);
    assertThatThrownBy(s::bearer)
        .isInstanceOfSatisfying(
            RemoteException.class,
            e -> assertThat(e.kind()).isEqualTo(RemoteException.Kind.NO_CREDENTIALS))
        .hasMessageContaining("HTTP 403")
        .hasMessageContaining("progcache.example");
    assertThatThrownBy(s::bearer).isInstanceOf(RemoteException.class);
    assertThat(requests.get()).isEqualTo(1);
  }

  @Test
  void missingActionsVariables_sayWhichPermissionIsNeeded() {
    IdTokenSource s = source(null, null);
    assertThatThrownBy(s::bearer)
        .isInstanceOf(RemoteException.class)
        .hasMessageContaining("ACTIONS_ID_TOKEN_REQUEST_URL")
        .hasMessageContaining("id-token: write");
  }

  @Test
  void slowService_failsWithinTheTimeout() {
    delayMillis = 10_000;
    IdTokenSource s = source(url(), REQUEST_TOKEN);
    long t0 = System.nanoTime();
    assertThatThrownBy(s::bearer).isInstanceOf(RemoteException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(6));
  }

  @Test
  void failedFetch_turnsTheRemoteOffWithOneMessage_andNeverFailsTheBuild() throws Exception {
    status = 500;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Stats stats = new Stats();
    URI nowhere = URI.create("http://127.0.0.1:9/");
    BestEffort tier =
        new BestEffort(
            new HttpTier(HttpTier.Config.of(nowhere, source(url(), REQUEST_TOKEN))),
            "http://127.0.0.1:9",
            BestEffort.Policy.DEFAULT,
            new RemoteLog(stats, err));
    Key a = Key.ofHex("00".repeat(32));
    assertThat(
            tier.get(
                a,
                (out, size, in) -> {
                  throw new AssertionError("no body expected");
                }))
        .isEmpty();
    Path body = Files.writeString(tmp.resolve("b"), "x");
    tier.put(a, Key.ofHex("11".repeat(32)), 1, body);
    assertThat(
            tier.get(
                Key.ofHex("22".repeat(32)),
                (out, size, in) -> {
                  throw new AssertionError();
                }))
        .isEmpty();
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertThat(out.lines().count()).as(out).isEqualTo(1);
    assertThat(out).contains("is off for this build").contains("HTTP 500");
    assertThat(out).doesNotContain(REQUEST_TOKEN);
    assertThat(requests.get()).isEqualTo(1);
  }

  @Test
  void expiry_isReadFromThePayload() {
    assertThat(IdTokenSource.expiry(jwt(Instant.ofEpochSecond(1_800_000_000L), 1)))
        .contains(Instant.ofEpochSecond(1_800_000_000L));
    assertThat(IdTokenSource.expiry("not a jwt")).isEmpty();
    assertThat(IdTokenSource.expiry("a.%%%.c")).isEmpty();
  }
}
