package dev.progcache.modproxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.progcache.testing.Threads;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * An upstream module proxy on loopback: serves the files under a directory in GOPROXY layout
 * ({@code <escaped path>/@v/list}, {@code .info}, {@code .mod}, {@code .zip}, {@code /@latest},
 * {@code sumdb/...}) with 404 and go's "not found" body for anything else, counts requests by path,
 * and misbehaves on request: a 500, a body cut short, a hang, other bytes. Like a public module
 * mirror it may also proxy a checksum database ({@link #sumdb}).
 */
public final class FakeGoProxy implements AutoCloseable {
  /** How to answer one path. */
  public enum Fault {
    FAIL_500,
    TRUNCATE,
    HANG
  }

  private final HttpServer server;
  private final Path root;
  private final Map<String, Fault> faults = new ConcurrentHashMap<>();
  private final Map<String, byte[]> overrides = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final AtomicInteger total = new AtomicInteger();
  private final CountDownLatch release = new CountDownLatch(1);
  private final Map<String, URI> sumdbs = new ConcurrentHashMap<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private volatile long delayMillis;

  private FakeGoProxy(HttpServer server, Path root) {
    this.server = server;
    this.root = root;
  }

  /** Serves {@code root} on a free loopback port. */
  public static FakeGoProxy start(Path root) throws IOException {
    HttpServer s =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    FakeGoProxy p = new FakeGoProxy(s, root);
    s.createContext("/", p::handle);
    s.setExecutor(Threads.VIRTUAL::execute);
    s.start();
    return p;
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  /** Answers {@code path} (relative, e.g. {@code example.com/a/@v/v1.0.0.zip}) badly. */
  public void fault(String path, Fault f) {
    faults.put("/" + path, f);
  }

  /** Answers {@code path} with {@code body} instead of the file. */
  public void override(String path, byte[] body) {
    overrides.put("/" + path, body);
  }

  /**
   * Proxies the checksum database {@code name} served at {@code database}: answers {@code
   * sumdb/<name>/supported} itself and forwards the rest, answering 502 while the database is
   * unreachable.
   */
  public void sumdb(String name, URI database) {
    sumdbs.put(name, database);
  }

  /** Answers every path as it should again. */
  public void heal() {
    faults.clear();
    overrides.clear();
  }

  /** Waits this long before each answer (a far-away proxy). */
  public void delay(long millis) {
    delayMillis = millis;
  }

  public int requests(String path) {
    AtomicInteger c = counts.get("/" + path);
    return c == null ? 0 : c.get();
  }

  public int requests() {
    return total.get();
  }

  /** The Authorization headers received, in order. */
  public List<String> authorizations() {
    return authorizations;
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    total.incrementAndGet();
    counts.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth != null) {
      authorizations.add(auth);
    }
    try (ex) {
      if (delayMillis > 0) {
        Thread.sleep(delayMillis);
      }
      Fault f = faults.get(path);
      if (f == Fault.HANG) {
        ex.sendResponseHeaders(200, 1000);
        ex.getResponseBody().write(new byte[10]);
        ex.getResponseBody().flush();
        release.await(60, TimeUnit.SECONDS);
        return;
      }
      if (f == Fault.FAIL_500) {
        send(ex, 500, "internal error\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      byte[] body = overrides.get(path);
      URI db = body == null ? proxiedSumdb(path) : null;
      if (db != null) {
        forwardSumdb(ex, db, path.substring(path.indexOf('/', "/sumdb/".length()) + 1));
        return;
      }
      Path file = root.resolve(path.substring(1)).normalize();
      if (body == null && (!file.startsWith(root) || !Files.isRegularFile(file))) {
        send(
            ex,
            404,
            ("not found: " + path.substring(1) + ": no such module in the test proxy\n")
                .getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (body == null) {
        body = Files.readAllBytes(file);
      }
      if (f == Fault.TRUNCATE) {
        ex.sendResponseHeaders(200, body.length);
        OutputStream o = ex.getResponseBody();
        o.write(Arrays.copyOf(body, body.length / 2));
        o.flush();
        return; // closing the exchange short of its length drops the connection
      }
      send(ex, 200, body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The database {@link #sumdb} proxies at {@code path}, or null. */
  private @Nullable URI proxiedSumdb(String path) {
    if (!path.startsWith("/sumdb/")) {
      return null;
    }
    int slash = path.indexOf('/', "/sumdb/".length());
    return slash < 0 ? null : sumdbs.get(path.substring("/sumdb/".length(), slash));
  }

  private void forwardSumdb(HttpExchange ex, URI db, String rest)
      throws IOException, InterruptedException {
    if (rest.equals("supported")) {
      send(ex, 200, new byte[0]);
      return;
    }
    HttpResponse<byte[]> r;
    try {
      r =
          http.send(
              HttpRequest.newBuilder(db.resolve(rest)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      send(
          ex,
          502,
          ("the checksum database " + db + " is unreachable\n").getBytes(StandardCharsets.UTF_8));
      return;
    }
    send(ex, r.statusCode(), r.body());
  }

  /** Answers {@code status} with {@code body} as plain text. */
  static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream o = ex.getResponseBody()) {
      o.write(body);
    }
  }

  @Override
  public void close() {
    if (release.getCount() > 0) {
      release.countDown();
      server.stop(0);
      http.shutdownNow();
    }
  }
}
