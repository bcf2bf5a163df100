package dev.progcache.modproxy;

import dev.progcache.remote.http.Endpoint;
import dev.progcache.remote.http.HttpTier;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The upstream proxies, tried in order as go tries GOPROXY: after a proxy separated from the next
 * by a comma only a 404 or 410 moves on; after a pipe, any failure does. A body is copied to a file
 * with a size limit, and given up when the upstream sends nothing for the stall time (a hung
 * proxy).
 *
 * <p>Thread-safe.
 */
final class Upstreams implements AutoCloseable {
  /**
   * One upstream proxy.
   *
   * @param base its base URL, ending in a slash
   * @param anyError whether any failure (not only 404/410) moves on to the next proxy
   */
  record Proxy(URI base, boolean anyError) {
    @Override
    public String toString() {
      return HttpTier.describe(base);
    }
  }

  /** What the upstreams answered. */
  sealed interface Answer {}

  /** A body of {@code size} bytes, now in the file. */
  record Got(long size, Proxy from) implements Answer {}

  /** Every proxy said 404 or 410; the last one's status and (short) body. */
  record Missing(int status, String body) implements Answer {}

  /** A failure: no answer, another status, or a body over the limit or cut short. */
  record Failed(String message) implements Answer {}

  private static final int MAX_MISSING_BODY = 4096;
  private final List<Proxy> proxies;
  private final Credentials credentials;
  private final Duration stall;
  private final HttpClient http;
  final AtomicLong requests = new AtomicLong();
  final AtomicLong errors = new AtomicLong();
  final AtomicLong bytes = new AtomicLong();

  Upstreams(List<Proxy> proxies, Credentials credentials, Duration stall) {
    this.proxies = List.copyOf(proxies);
    this.credentials = credentials;
    this.stall = stall;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  /**
   * Parses a GOPROXY-style list: URLs separated by {@code ,} or {@code |}; {@code direct} and
   * {@code off} are left out (this server only reads through to proxies).
   *
   * @throws IllegalArgumentException naming the entry that is not a proxy URL
   */
  static List<Proxy> parse(String spec, String what) {
    List<Proxy> out = new ArrayList<>();
    String s = spec.strip();
    int i = 0;
    while (i < s.length()) {
      int comma = s.indexOf(',', i);
      int pipe = s.indexOf('|', i);
      int end = comma < 0 ? pipe : pipe < 0 ? comma : Math.min(comma, pipe);
      String entry = (end < 0 ? s.substring(i) : s.substring(i, end)).strip();
      boolean anyError = end >= 0 && end == pipe;
      i = end < 0 ? s.length() : end + 1;
      if (entry.isEmpty() || entry.equals("direct") || entry.equals("off")) {
        continue;
      }
      URI u =
          Endpoint.parse(
              entry,
              what + " entry \"" + entry + "\"",
              "--modproxy-netrc or --modproxy-header-file");
      String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
      out.add(new Proxy(u.resolve(path.endsWith("/") ? path : path + "/"), anyError));
    }
    return out;
  }

  /** Drops the connections to the upstreams (a server waits for idle ones when it stops). */
  @Override
  public void close() {
    http.shutdownNow();
  }

  List<Proxy> proxies() {
    return proxies;
  }

  /**
   * Asks the proxies in turn for {@code relPath} (relative to a proxy's base) until one has it,
   * copying the body into {@code into} (at most {@code maxBytes}).
   *
   * @throws InterruptedIOException when the calling thread is interrupted
   */
  Answer get(String relPath, Path into, long maxBytes) throws InterruptedIOException {
    Answer last = new Failed("no upstream proxy is configured");
    for (Proxy p : proxies) {
      last = one(p, relPath, into, maxBytes);
      if (last instanceof Got) {
        return last;
      }
      if (last instanceof Failed) {
        errors.incrementAndGet();
        if (!p.anyError()) {
          return last;
        }
      }
    }
    return last;
  }

  private Answer one(Proxy p, String relPath, Path into, long maxBytes)
      throws InterruptedIOException {
    URI u = p.base().resolve(relPath);
    HttpRequest.Builder b = HttpRequest.newBuilder(u).GET().timeout(stall.multipliedBy(2));
    credentials.apply(b, u);
    requests.incrementAndGet();
    try {
      HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = r.body()) {
        int status = r.statusCode();
        if (status == 404 || status == 410) {
          byte[] body = in.readNBytes(MAX_MISSING_BODY);
          return new Missing(status, new String(body, StandardCharsets.UTF_8));
        }
        if (status != 200) {
          return new Failed(p + " answered HTTP " + status + " for " + relPath);
        }
        long len = r.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (len > maxBytes) {
          return new Failed(
              relPath
                  + " is "
                  + len
                  + " bytes at "
                  + p
                  + ", over the limit of "
                  + maxBytes
                  + " bytes (--max-module-size)");
        }
        long n = copy(in, into, maxBytes);
        if (n < 0) {
          return new Failed(
              relPath
                  + " at "
                  + p
                  + " is over the limit of "
                  + maxBytes
                  + " bytes (--max-module-size)");
        }
        if (len >= 0 && n != len) {
          return new Failed(
              relPath + " at " + p + " was cut short: " + n + " of " + len + " bytes");
        }
        bytes.addAndGet(n);
        return new Got(n, p);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading " + relPath + " from " + p);
    } catch (IOException e) {
      return new Failed(
          "cannot read "
              + relPath
              + " from "
              + p
              + ": "
              + (e.getMessage() == null ? "no answer" : e.getMessage()));
    }
  }

  /**
   * Copies {@code in} to {@code into}; -1 when it holds more than {@code max} bytes. A watchdog
   * closes the stream when nothing arrives for the stall time, so a hung upstream fails the read.
   */
  private long copy(InputStream in, Path into, long max) throws IOException {
    AtomicLong done = new AtomicLong();
    java.util.concurrent.atomic.AtomicBoolean fired =
        new java.util.concurrent.atomic.AtomicBoolean();
    Thread reader = Thread.currentThread();
    Thread watchdog =
        Thread.ofVirtual()
            .name("progcache-modproxy-stall")
            .start(
                () -> {
                  long seen = 0;
                  try {
                    while (true) {
                      Thread.sleep(stall);
                      long now = done.get();
                      if (now == seen) {
                        fired.set(true);
                        reader.interrupt(); // wakes a read waiting for the next buffer
                        in.close();
                        return;
                      }
                      seen = now;
                    }
                  } catch (InterruptedException | IOException e) {
                    // finished, or closing anyway
                  }
                });
    try (OutputStream out = Files.newOutputStream(into)) {
      byte[] buf = new byte[64 << 10];
      int n;
      while ((n = in.read(buf)) >= 0) {
        if (done.addAndGet(n) > max) {
          return -1;
        }
        out.write(buf, 0, n);
      }
      return done.get();
    } catch (IOException e) {
      if (fired.get()) {
        throw new IOException(
            "nothing arrived for " + stall.toMillis() + " ms after " + done.get() + " bytes", e);
      }
      throw e;
    } finally {
      watchdog.interrupt();
      try {
        watchdog.join();
      } catch (InterruptedException e) {
        // below: the flag is cleared when the watchdog set it
      }
      if (fired.get()) {
        Thread.interrupted();
      }
    }
  }
}
