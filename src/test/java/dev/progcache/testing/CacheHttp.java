package dev.progcache.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;

/**
 * A small HTTP/1.1 client for {@code progcache serve}'s protocol (PUT /action/output, GET /action/x
 * with Want-Object) used by the load and crash tests. Thread-safe; the base URL can be changed when
 * the server restarts on another port.
 */
public final class CacheHttp implements AutoCloseable {
  /** One object: random action id, body, and its output id (sha256 of the body), all hex. */
  public record Obj(String action, String output, int size) {
    public static Obj random(Random r, byte[] body) {
      byte[] a = new byte[32];
      r.nextBytes(a);
      return new Obj(HexFormat.of().formatHex(a), sha256Hex(body), body.length);
    }
  }

  /** A GET's outcome: status, and for 200 the body and the Go-Output-Id header. */
  public record Got(int status, byte[] body, String outputHeader) {}

  private final HttpClient http;
  private final Duration timeout;
  private volatile URI base;

  public CacheHttp(URI base, Duration timeout) {
    this.base = base;
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
  }

  public void base(URI u) {
    this.base = u;
  }

  /** PUTs {@code body}; returns the status (204 means acknowledged). */
  public int put(Obj o, byte[] body) throws IOException, InterruptedException {
    HttpRequest r =
        HttpRequest.newBuilder(base.resolve("/" + o.action() + "/" + o.output()))
            .timeout(timeout)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** GET /action/{action} with Want-Object: 1. */
  public Got get(String action) throws IOException, InterruptedException {
    HttpRequest r =
        HttpRequest.newBuilder(base.resolve("/action/" + action))
            .timeout(timeout)
            .header("Want-Object", "1")
            .GET()
            .build();
    HttpResponse<byte[]> resp = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
    return new Got(
        resp.statusCode(), resp.body(), resp.headers().firstValue("Go-Output-Id").orElse(""));
  }

  /**
   * Whether a GET of {@code o} is a correct hit: 200 whose body hashes to the output id and has the
   * stored size. Returns "hit", "miss" (404) or a description of what is wrong.
   */
  public String check(Obj o) throws IOException, InterruptedException {
    Got g = get(o.action());
    if (g.status() == 404) {
      return "miss";
    }
    if (g.status() != 200) {
      return "status " + g.status();
    }
    if (!sha256Hex(g.body()).equals(o.output())
        || g.body().length != o.size()
        || !g.outputHeader().equals(o.output())) {
      return "corrupt: "
          + g.body().length
          + " bytes hashing to "
          + sha256Hex(g.body())
          + " for "
          + o;
    }
    return "hit";
  }

  public static String sha256Hex(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    http.shutdownNow();
  }
}
