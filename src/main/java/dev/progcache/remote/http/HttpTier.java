package dev.progcache.remote.http;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.remote.RemoteException;
import dev.progcache.remote.RemoteException.Kind;
import dev.progcache.remote.RemoteTier;
import dev.progcache.wire.ExactBody;
import dev.progcache.wire.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.xxhash.XXHashFactory;
import org.jspecify.annotations.Nullable;

/**
 * The gocached / go-cacher-server HTTP protocol, as a client: {@code GET /action/<hex>} with {@code
 * Want-Object: 1} (one round trip; older servers answer with a JSON pointer, followed by {@code GET
 * /output/<hex>}), lz4 frame bodies, and {@code PUT /<action hex>/<output hex>} with an exact
 * Content-Length.
 *
 * <p>Thread-safe; at most {@code maxConcurrent} requests run at once. Calls block and may be
 * interrupted. Every request (gets, prefetch batches, manifests, uploads) goes through {@link
 * Exchange}, written and read by the calling thread. Making the tier costs nothing; {@link #warmUp}
 * starts, in the background, what the first read needs. lz4 bodies are asked for unless the server
 * is on a loopback address. Redirects are followed only to the same scheme, host and port, so the
 * token never goes elsewhere. The token appears in no message.
 */
public final class HttpTier implements RemoteTier {
  /**
   * @param connectTimeout to open a connection
   * @param headerTimeout from sending a get to its response headers
   * @param maxObjectSize larger remote objects are refused
   * @param maxConcurrent requests in flight at once
   */
  public record Settings(
      Duration connectTimeout, Duration headerTimeout, long maxObjectSize, int maxConcurrent) {
    public static final Settings DEFAULT =
        new Settings(Duration.ofSeconds(2), Duration.ofSeconds(5), 4L << 30, 32);
  }

  private static final int MAX_JSON = 4096;
  private static final int MAX_REDIRECTS = 3;

  /** The hint of the helper's settings, for {@link #credentialsHint}. */
  public static final String HELPER_HINT =
      "check PROGCACHE_TOKEN / PROGCACHE_TOKEN_FILE, PROGCACHE_NAMESPACE and the token's"
          + " grants and namespaces";

  final URI base;
  private final String name;
  final Settings settings;
  final HttpConnection conn;
  private final HttpPrefetch prefetch = new HttpPrefetch(this);

  /**
   * What a tier is made from.
   *
   * @param base the server's URL ({@code http(s)://host:port[/prefix]})
   * @param credentials the bearer token to send, asked for on each request
   * @param credentialsHint where the token comes from, for messages about denials
   */
  public record Config(
      URI base, Credentials credentials, String credentialsHint, Settings settings) {
    /** {@code base} with a fixed {@code token} (or none when null), the helper's hint, defaults. */
    public static Config of(URI base, @Nullable String token) {
      return of(base, Credentials.fixed(token));
    }

    /** {@code base} with {@code credentials}, the helper's hint and default settings. */
    public static Config of(URI base, Credentials credentials) {
      return new Config(base, credentials, HELPER_HINT, Settings.DEFAULT);
    }

    /** This config with another hint for messages about denials. */
    public Config withHint(String hint) {
      return new Config(base, credentials, hint, settings);
    }

    /** This config with other settings. */
    public Config withSettings(Settings s) {
      return new Config(base, credentials, credentialsHint, s);
    }
  }

  /**
   * A tier of the server {@code config} names. One client stack for reads and uploads: {@link
   * Exchange} ({@code HttpURLConnection}); ADR 0011 measured it against {@code HttpClient} for
   * reads and ADR 0024 for uploads.
   */
  public HttpTier(Config config) {
    this.base = withSlash(config.base());
    this.name = describe(config.base());
    this.settings = config.settings();
    this.conn =
        new HttpConnection(this.base, config.credentials(), config.credentialsHint(), settings);
  }

  private HttpTier(HttpTier parent, URI base) {
    this.base = withSlash(base);
    this.name = describe(base);
    this.settings = parent.settings;
    this.conn = parent.conn;
  }

  /**
   * The same server under the relative path {@code path} (such as {@code ns/pr-1/}), sharing this
   * tier's connections, its bound on requests in flight and its token. Closing the view does
   * nothing; closing this tier closes every view.
   */
  public HttpTier under(String path) {
    return new HttpTier(this, base.resolve(path));
  }

  /** The base URL (ending in a slash). */
  public URI base() {
    return base;
  }

  /** The URL as messages show it: scheme, host, port and path; no user info, query or fragment. */
  public static String describe(URI u) {
    try {
      return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null)
          .toString();
    } catch (URISyntaxException e) {
      return u.getScheme() + "://" + u.getHost();
    }
  }

  @Override
  public String credentialsHint() {
    return conn.credentialsHint;
  }

  @Override
  public Optional<Hit> get(Key action, ObjectSink sink) throws IOException {
    acquire();
    try (Exchange r = send(base.resolve("action/" + action.hex()))) {
      if (r.status() == 404) {
        return Optional.empty();
      }
      check(r, "GET /action/" + action.hex(), Kind.DENIED_READ);
      String type = r.header("Content-Type").orElse("");
      if (type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
        Pointer p = Pointer.parse(r.body().readNBytes(MAX_JSON + 1), MAX_JSON);
        return output(p, sink);
      }
      Key out = outputIdHeader(r);
      return Optional.of(deliver(r, out, -1, sink));
    } finally {
      conn.slots.release();
    }
  }

  /** The second hop of the older form: the body of the output the action pointed at. */
  private Optional<Hit> output(Pointer p, ObjectSink sink) throws IOException {
    checkSize(p.size(), -1);
    try (Exchange r = send(base.resolve("output/" + p.outputId().hex()))) {
      if (r.status() == 404) {
        return Optional.empty();
      }
      check(r, "GET /output/" + p.outputId().hex(), Kind.DENIED_READ);
      return Optional.of(deliver(r, p.outputId(), p.size(), sink));
    }
  }

  private Hit deliver(Exchange r, Key out, long expected, ObjectSink sink) throws IOException {
    String enc = r.header("Content-Encoding").orElse("identity").strip();
    long size;
    InputStream body;
    if (enc.equalsIgnoreCase("lz4")) {
      size = lengthHeader(r, "X-Uncompressed-Length");
      checkSize(size, expected);
      body = new ExactBody(lz4(r.body()), size);
    } else if (enc.equalsIgnoreCase("identity") || enc.isEmpty()) {
      size = lengthHeader(r, "Content-Length");
      checkSize(size, expected);
      body = new ExactBody(r.body(), size);
    } else {
      throw new RemoteException(Kind.FAILED, "unsupported Content-Encoding \"" + enc + "\"");
    }
    return sink.store(out, size, body);
  }

  static InputStream lz4(InputStream in) throws IOException {
    return new LZ4FrameInputStream(
        in, LZ4Factory.safeInstance().safeDecompressor(), XXHashFactory.safeInstance().hash32());
  }

  private void checkSize(long size, long expected) throws RemoteException {
    if (size > settings.maxObjectSize()) {
      throw new RemoteException(
          Kind.FAILED,
          "object of " + size + " bytes is over the limit of " + settings.maxObjectSize());
    }
    if (expected >= 0 && size != expected) {
      throw new RemoteException(
          Kind.FAILED, "object has " + size + " bytes but its action said " + expected);
    }
  }

  private static long lengthHeader(Exchange r, String name) throws RemoteException {
    Optional<String> v = r.header(name);
    if (v.isEmpty()) {
      throw new RemoteException(Kind.FAILED, "response without " + name);
    }
    try {
      long n = Long.parseLong(v.get().strip());
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new RemoteException(Kind.FAILED, "bad " + name + " header");
    }
  }

  private static Key outputIdHeader(Exchange r) throws RemoteException {
    String v = r.header("Go-Output-Id").orElse("");
    try {
      return Key.ofHex(v.strip());
    } catch (IllegalArgumentException e) {
      throw new RemoteException(Kind.FAILED, "bad or missing Go-Output-Id header");
    }
  }

  /** One {@code POST /batch} per call; falls back to single gets on a server without it. */
  @Override
  public void getMany(List<Key> actions, BatchSink sink) throws IOException {
    if (!prefetch.getMany(actions, sink)) {
      RemoteTier.super.getMany(actions, sink);
    }
  }

  @Override
  public Optional<Manifest> manifest(Key context) throws IOException {
    return prefetch.manifest(context);
  }

  @Override
  public void addToManifest(Key context, Manifest report) throws IOException {
    prefetch.addToManifest(context, report);
  }

  /**
   * {@code PUT /<action>/<output>} with the stored body streamed from its file by the calling
   * thread, on the same keep-alive connections as the reads (ADR 0024).
   */
  @Override
  public void put(Key action, Key output, long size, Path body) throws IOException {
    Map<String, String> h = headers(false);
    h.put("Content-Type", "application/octet-stream");
    String what = "PUT /" + action.hex() + "/" + output.hex();
    acquire();
    try (Exchange r =
        Exchange.send(
            base.resolve(action.hex() + "/" + output.hex()),
            "PUT",
            h,
            Exchange.Content.of(body, size),
            settings.connectTimeout(),
            Duration.ZERO)) { // no read timeout: the uploader's deadline, scaled by size, bounds it
      int s = r.status();
      r.discardSmall();
      if (s != 200 && s != 201 && s != 204) {
        check(r, what, Kind.DENIED_WRITE);
      }
    } finally {
      conn.slots.release();
    }
  }

  /** Sends a GET, following same-origin redirects only. */
  private Exchange send(URI uri) throws IOException {
    URI at = uri;
    for (int hop = 0; ; hop++) {
      Map<String, String> h = headers(true);
      h.put("Want-Object", "1");
      Exchange r = exchange(at, "GET", h, null);
      int s = r.status();
      if (s != 301 && s != 302 && s != 303 && s != 307 && s != 308) {
        return r;
      }
      Optional<String> loc = r.header("Location");
      r.close();
      if (loc.isEmpty() || hop >= MAX_REDIRECTS) {
        throw new RemoteException(Kind.FAILED, "HTTP " + s + " redirect without end");
      }
      URI next;
      try {
        next = at.resolve(loc.get());
      } catch (IllegalArgumentException e) {
        throw new RemoteException(Kind.FAILED, "HTTP " + s + " with a bad Location");
      }
      if (!sameOrigin(next, base)) {
        throw new RemoteException(
            Kind.FAILED,
            "refused a redirect to "
                + next.getScheme()
                + "://"
                + next.getHost()
                + ":"
                + next.getPort()
                + " (credentials go only to "
                + name
                + ")");
      }
      at = next;
    }
  }

  /**
   * The headers of a request to the server: the token, and, for a request whose answer carries
   * objects ({@code objects}), lz4 unless the server is on loopback. Modifiable.
   */
  Map<String, String> headers(boolean objects) throws IOException {
    Map<String, String> h = new java.util.HashMap<>();
    Optional<String> t = conn.credentials.bearer();
    if (t.isPresent()) {
      h.put("Authorization", "Bearer " + t.get());
    }
    if (objects && conn.askLz4()) {
      h.put("Accept-Encoding", "lz4");
    }
    return h;
  }

  /** One request through {@link Exchange} with this tier's timeouts. */
  Exchange exchange(URI uri, String method, Map<String, String> headers, byte @Nullable [] content)
      throws IOException {
    return Exchange.send(
        uri, method, headers, content, settings.connectTimeout(), settings.headerTimeout());
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme() != null
        && a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null
        && a.getHost().equalsIgnoreCase(b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI u) {
    if (u.getPort() >= 0) {
      return u.getPort();
    }
    return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  static void check(Exchange r, String what, Kind denied) throws RemoteException {
    check(r.status(), r::header, what, denied);
  }

  /** Throws the {@link RemoteException} that status {@code s} of {@code what} means, unless 200. */
  static void check(
      int s, java.util.function.Function<String, Optional<String>> header, String what, Kind denied)
      throws RemoteException {
    if (s == 200) {
      return;
    }
    String msg = "HTTP " + s + " for " + what;
    if (s >= 300 && s < 400) {
      // requests other than gets do not follow redirects: say so, as a get would
      msg +=
          ": refused a redirect"
              + header.apply("Location").map(l -> " to " + redirectTarget(l)).orElse("");
    }
    Duration retry = retryAfter(header.apply("Retry-After"));
    switch (s) {
      case 401 -> throw new RemoteException(Kind.UNAUTHENTICATED, msg);
      case 403 -> throw new RemoteException(denied, msg);
      case 413 -> throw new RemoteException(Kind.TOO_LARGE, msg);
      case 429, 507 -> throw new RemoteException(Kind.THROTTLED, msg, retry);
      case 503 -> {
        if (retry != null) {
          throw new RemoteException(Kind.THROTTLED, msg, retry);
        }
        throw new RemoteException(Kind.FAILED, msg);
      }
      default -> throw new RemoteException(Kind.FAILED, msg);
    }
  }

  /** Where a Location points, without user-info, path or query (they may carry secrets). */
  private static String redirectTarget(String location) {
    try {
      URI u = URI.create(location.strip());
      return u.getHost() == null
          ? "a relative address"
          : u.getScheme() + "://" + u.getHost() + ":" + u.getPort();
    } catch (IllegalArgumentException e) {
      return "a bad address";
    }
  }

  private static @Nullable Duration retryAfter(Optional<String> v) {
    if (v.isEmpty()) {
      return null;
    }
    try {
      long s = Long.parseLong(v.get().strip());
      return s < 0 ? null : Duration.ofSeconds(Math.min(s, 3600));
    } catch (NumberFormatException e) {
      return null; // an HTTP date: use the default pause
    }
  }

  @Override
  public void warmUp() {
    conn.warmUp();
    conn.credentials.warmUp();
  }

  void acquire() throws java.io.InterruptedIOException {
    try {
      conn.slots.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting for a connection slot");
    }
  }

  private static URI withSlash(URI u) {
    String s = u.toString();
    return s.endsWith("/") ? u : URI.create(s + "/");
  }

  /** Nothing to release: idle keep-alive connections are closed by the JDK. */
  @Override
  public void close() {}
}
