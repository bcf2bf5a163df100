package dev.progcache.server.http;

import dev.progcache.cache.BadPutException;
import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.server.auth.Authenticator;
import dev.progcache.server.auth.Tokens;
import dev.progcache.server.metrics.ServerMetrics;
import dev.progcache.server.status.StatusHandler;
import dev.progcache.server.store.Backing;
import dev.progcache.server.store.Manifests;
import dev.progcache.server.store.Namespaces;
import dev.progcache.server.store.NextTier;
import dev.progcache.server.store.ServerStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * The cache protocol over HTTP (gocached / go-cacher-server compatible):
 *
 * <ul>
 *   <li>{@code GET /action/<hex>}: 404 miss; with {@code Want-Object: 1}, 200 with the body and
 *       {@code Go-Output-Id}; otherwise 200 JSON {@code {"outputID":"<hex>","size":N}}.
 *   <li>{@code GET /output/<hex>}: the body, or 404.
 *   <li>{@code PUT /<action hex>/<output hex>} with an exact Content-Length: 204 once verified and
 *       stored; 400 when sha256 or size disagree; 411 without a length; 413 over the object limit.
 *   <li>{@code POST /batch}, {@code GET|POST /manifest/<hex>}: prefetching (see {@link
 *       PrefetchEndpoints}).
 *   <li>{@code GET /healthz}, {@code GET /metrics} (see {@link MetricsEndpoint}); {@code GET /} and {@code /status.json} are
 *       answered by {@link StatusHandler} in front of this one.
 * </ul>
 *
 * <p>Cache paths may start with {@code /ns/<name>}: the request is then in that namespace, else in
 * the principal's home namespace. A read searches the namespace and then the principal's later
 * read namespaces (a pull request's {@code pr-1} then {@code main}), first on this disk, then in
 * each one's {@link NextTier} (bucket or upstream server); a write goes to the principal's home
 * namespace only (see {@link Tokens.Principal}). {@code GET /output/<hex>} is answered from this
 * disk only.
 *
 * <p>Bodies are lz4-framed when the client accepts lz4 and they are big enough to gain. 401 for a
 * missing or unknown token (or an OIDC token that does not verify), 403 for a token without the
 * grant (or a verified OIDC token no rule matches), 507 for a write that would create a namespace
 * beyond the server's limit.
 *
 * <p>Thread-safe. Declared non-blocking, so Jetty may call it on its selector thread: a GET for a
 * small body on a local, already open store, with a token from the tokens file, is answered right
 * there (a page-cache read); anything that may block — OIDC tokens (the issuer's keys may need
 * fetching), PUTs, stores backed by a bucket or an upstream or not yet opened, large bodies —
 * continues on a virtual thread of its own.
 */
public final class CacheHandler extends Handler.Abstract.NonBlocking {
  /** Work that may block; runs on a virtual thread. */
  @FunctionalInterface
  private interface Blocking {
    void run() throws Exception;
  }

  /** Settings the handler needs: limits on objects and time, and when to compress. */
  public record Limits(long maxObject, long requestTimeoutMillis, long lz4MinSize) {}

  private static final int IN_MEMORY = 1 << 20;
  /** Bodies up to this size are read and sent on the calling (selector) thread. */
  private static final int INLINE_BODY = 64 << 10;
  /** Refused PUT bodies up to this size are read, so the connection can be kept. */
  private static final int DRAIN_LIMIT = 64 << 10;
  private final Namespaces namespaces;
  private final Authenticator auth;
  private final ServerMetrics metrics;
  private final Limits limits;
  private final PrefetchEndpoints prefetch;
  private final MetricsEndpoint metricsEndpoint;
  /** Small bodies sent recently, so hot ones skip the disk: 64 MiB at most. */
  private final SmallBodies small = new SmallBodies(64L << 20);
  private final Executor blocking =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("progcache-serve-v", 0).factory());

  public CacheHandler(Namespaces namespaces, Authenticator auth, ServerMetrics metrics, Limits limits) {
    this.namespaces = namespaces;
    this.auth = auth;
    this.metrics = metrics;
    this.limits = limits;
    this.metricsEndpoint = new MetricsEndpoint(auth, metrics);
    this.prefetch =
        new PrefetchEndpoints(
            namespaces, new Manifests(namespaces.dir().resolve("manifests"), System::currentTimeMillis), metrics);
  }

  @Override
  public boolean handle(Request req, Response resp, Callback cb) throws Exception {
    if (auth.mayBlock(req.getHeaders().get(HttpHeader.AUTHORIZATION))) {
      return dispatch(req, resp, cb, () -> route(req, resp, cb));
    }
    return route(req, resp, cb);
  }

  private boolean route(Request req, Response resp, Callback cb) throws Exception {
    String path = Request.getPathInContext(req);
    String method = req.getMethod();
    boolean get = method.equals("GET") || method.equals("HEAD");
    if (get && path.equals("/healthz")) {
      return text(resp, cb, 200, "ok\n");
    }
    if (get && path.equals("/metrics")) {
      return dispatch(req, resp, cb, () -> metricsEndpoint.scrape(req, resp, cb));
    }
    String ns = null;
    if (path.startsWith("/ns/")) {
      int end = path.indexOf('/', 4);
      ns = end < 0 ? path.substring(4) : path.substring(4, end);
      if (!Namespaces.valid(ns)) {
        return text(resp, cb, 400, "bad namespace in the path (" + Namespaces.RULE + ")\n");
      }
      path = end < 0 ? "" : path.substring(end);
    }
    if (method.equals("POST") && path.equals("/batch")) {
      Optional<List<String>> chain = authorized(req, resp, cb, ns, Tokens.Grant.READ);
      return chain.isEmpty()
          || dispatch(
              req, resp, cb, () -> prefetch.batch(req, resp, cb, chain.get(), Lz4.accepted(req)));
    }
    String[] parts = path.split("/", -1);
    if (parts.length == 3 && parts[1].equals("manifest") && (get || method.equals("POST"))) {
      String nsOf = ns;
      return dispatch(req, resp, cb, () -> manifest(req, resp, cb, nsOf, parts[2], get));
    }
    if (parts.length != 3 || !parts[0].isEmpty()) {
      metrics.notFound.increment();
      return text(resp, cb, 404, "not found\n");
    }
    if (get && (parts[1].equals("action") || parts[1].equals("output"))) {
      Optional<Key> k = key(parts[2]);
      if (k.isEmpty()) {
        return bad(resp, cb);
      }
      Optional<List<String>> chain = authorized(req, resp, cb, ns, Tokens.Grant.READ);
      if (chain.isEmpty()) {
        return true;
      }
      return parts[1].equals("action")
          ? lookup(req, resp, cb, chain.get(), () -> lookupAction(req, resp, cb, chain.get(), k.get()))
          : lookup(req, resp, cb, chain.get(), () -> lookupOutput(req, resp, cb, chain.get(), k.get()));
    }
    if (method.equals("PUT")) {
      Optional<Key> a = key(parts[1]);
      Optional<Key> o = key(parts[2]);
      if (a.isEmpty() || o.isEmpty()) {
        return bad(resp, cb);
      }
      String in = ns;
      // on a virtual thread from the start: a refused PUT's small body is read before the answer
      return dispatch(
          req,
          resp,
          cb,
          () -> {
            Optional<List<String>> into = authorized(req, resp, cb, in, Tokens.Grant.WRITE);
            if (into.isPresent()) {
              put(req, resp, cb, into.get().get(0), a.get(), o.get());
            }
          });
    }
    metrics.notFound.increment();
    return text(resp, cb, 404, "not found\n");
  }

  private boolean manifest(
      Request req, Response resp, Callback cb, @Nullable String ns, String hex, boolean get)
      throws IOException {
    Optional<Key> k = key(hex);
    if (k.isEmpty()) {
      return bad(resp, cb);
    }
    Optional<List<String>> chain =
        authorized(req, resp, cb, ns, get ? Tokens.Grant.READ : Tokens.Grant.WRITE);
    if (chain.isEmpty()) {
      return true;
    }
    return get
        ? prefetch.manifest(resp, cb, chain.get(), k.get())
        : prefetch.merge(req, resp, cb, chain.get().get(0), k.get());
  }

  /**
   * Checks the token against namespace {@code ns} (null: the principal's home). Returns the
   * namespaces to use (for a read, the lookup chain; for a write, the one to write), or answers
   * 401/403 itself and returns empty.
   */
  private Optional<List<String>> authorized(
      Request req, Response resp, Callback cb, @Nullable String ns, Tokens.Grant need) {
    Authenticator.Outcome found = auth.check(req.getHeaders().get(HttpHeader.AUTHORIZATION));
    Tokens.Principal p = found.principal();
    boolean write = need == Tokens.Grant.WRITE;
    if (p == null && write) {
      drainSmallBody(req);
    }
    if (p == null && found.status() == 403) {
      (write ? metrics.putForbidden : metrics.forbidden).increment();
      text(resp, cb, 403, found.reason() + "\n");
      return Optional.empty();
    }
    if (p == null) {
      (write ? metrics.putUnauthorized : metrics.unauthorized).increment();
      resp.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      text(resp, cb, 401, found.reason() + "\n");
      return Optional.empty();
    }
    req.setAttribute(AccessLog.PRINCIPAL, p.name());
    String in = ns == null ? p.home() : ns;
    boolean ok = need == Tokens.Grant.READ ? p.mayRead(in) : p.mayWrite(in);
    if (!ok) {
      if (write) {
        drainSmallBody(req);
      }
      (write ? metrics.putForbidden : metrics.forbidden).increment();
      String verb = need == Tokens.Grant.READ ? "read" : "write";
      text(resp, cb, 403, "this token may not " + verb + " namespace " + in + "\n");
      return Optional.empty();
    }
    return Optional.of(need == Tokens.Grant.READ ? p.readChain(in) : List.of(in));
  }

  /**
   * Runs {@code work} on a virtual thread (directly when already on one); a failure becomes an
   * error answer. Returns true.
   */
  private boolean dispatch(Request req, Response resp, Callback cb, Blocking work)
      throws Exception {
    if (Thread.currentThread().isVirtual()) {
      work.run();
      return true;
    }
    blocking.execute(
        () -> {
          try {
            work.run();
          } catch (Throwable t) {
            Response.writeError(req, resp, cb, t);
          }
        });
    return true;
  }

  /**
   * Runs {@code lookup} right here when every namespace of {@code chain} is open and on this disk
   * only, else on a virtual thread. Returns true.
   */
  private boolean lookup(
      Request req, Response resp, Callback cb, List<String> chain, Blocking lookup)
      throws Exception {
    if (namespaces.openAndLocal(chain)) {
      lookup.run();
      return true;
    }
    return dispatch(req, resp, cb, lookup);
  }

  private boolean lookupAction(
      Request req, Response resp, Callback cb, List<String> chain, Key action) throws Exception {
    Optional<Hit> h = Optional.empty();
    String served = chain.get(0);
    for (int i = 0; i < chain.size() && h.isEmpty(); i++) {
      Optional<ServerStore> s = namespaces.find(chain.get(i));
      h = s.isEmpty() ? Optional.empty() : s.get().action(action);
      served = chain.get(i);
    }
    // only when no namespace of the chain has it here: ask what stands behind each, in order
    for (int i = 0; i < chain.size() && h.isEmpty(); i++) {
      h = fetch(chain.get(i), action);
      served = chain.get(i);
    }
    namespaces.counted(chain, h.isPresent() ? served : null);
    if (h.isEmpty()) {
      metrics.actionMiss.increment();
      return text(resp, cb, 404, "");
    }
    metrics.actionHit.increment();
    Hit hit = h.get();
    if (!"1".equals(req.getHeaders().get("Want-Object"))) {
      resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      return text(
          resp,
          cb,
          200,
          "{\"outputID\":\"" + hit.entry().outputId().hex() + "\",\"size\":" + hit.entry().size() + "}");
    }
    return body(req, resp, cb, hit);
  }

  /**
   * Reads and drops the body of a refused PUT when it is small, so the connection stays usable
   * for the client's next request (unread, Jetty must close it, and a client that already reused
   * it sees a reset). Only on a virtual thread; bounded in size and time.
   */
  private void drainSmallBody(Request req) {
    long len = req.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
    if (!Thread.currentThread().isVirtual() || len <= 0 || len > DRAIN_LIMIT) {
      return;
    }
    long deadline = System.nanoTime() + 5_000_000_000L;
    try (InputStream body = new DeadlineInput(Content.Source.asInputStream(req), deadline)) {
      body.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      // the client went away or was too slow: the connection closes, as it would have
    }
  }

  /** The first hit of {@code lookup} in the namespaces of {@code chain} that exist on this disk. */
  private Optional<Hit> onDisk(
      List<String> chain, java.util.function.Function<ServerStore, Optional<Hit>> lookup)
      throws IOException {
    for (String ns : chain) {
      Optional<ServerStore> s = namespaces.find(ns);
      Optional<Hit> h = s.isEmpty() ? Optional.empty() : lookup.apply(s.get());
      if (h.isPresent()) {
        return h;
      }
    }
    return Optional.empty();
  }

  /** What stands behind namespace {@code ns} has for {@code action}; a miss when it cannot be kept. */
  private Optional<Hit> fetch(String ns, Key action) throws IOException {
    try {
      Optional<ServerStore> s = namespaces.forFetch(ns);
      return s.isEmpty() ? Optional.empty() : s.get().fetch(action);
    } catch (Namespaces.LimitReached e) {
      return Optional.empty();
    }
  }


  private boolean lookupOutput(
      Request req, Response resp, Callback cb, List<String> chain, Key output) throws Exception {
    Optional<Hit> h = onDisk(chain, s -> s.output(output));
    if (h.isEmpty()) {
      metrics.outputMiss.increment();
      return text(resp, cb, 404, "");
    }
    metrics.outputHit.increment();
    return body(req, resp, cb, h.get());
  }

  /** Sends a stored body, lz4-framed when the client accepts it and it is big enough. */
  private boolean body(Request req, Response resp, Callback cb, Hit hit) throws Exception {
    if (hit.entry().size() > INLINE_BODY) {
      return dispatch(req, resp, cb, () -> sendBody(req, resp, cb, hit));
    }
    return sendBody(req, resp, cb, hit);
  }

  private boolean sendBody(Request req, Response resp, Callback cb, Hit hit) throws IOException {
    long size = hit.entry().size();
    resp.setStatus(200);
    resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
    resp.getHeaders().put("Go-Output-Id", hit.entry().outputId().hex());
    boolean lz4 = size >= limits.lz4MinSize() && Lz4.accepted(req);
    if (lz4) {
      resp.getHeaders().put(HttpHeader.CONTENT_ENCODING, "lz4");
      resp.getHeaders().put("X-Uncompressed-Length", Long.toString(size));
    }
    metrics.bytesOut.increment(size);
    if (size <= IN_MEMORY) {
      byte[] b = small.read(hit.entry().outputId(), size, hit.diskPath());
      if (lz4) {
        ByteArrayOutputStream z = new ByteArrayOutputStream(b.length / 2 + 64);
        try (OutputStream f = Lz4.frame(z)) {
          f.write(b);
        }
        b = z.toByteArray();
      }
      resp.getHeaders().put(HttpHeader.CONTENT_LENGTH, b.length);
      resp.write(true, ByteBuffer.wrap(b), cb);
      return true;
    }
    if (!lz4) {
      resp.getHeaders().put(HttpHeader.CONTENT_LENGTH, size);
    }
    try (InputStream in = Files.newInputStream(hit.diskPath());
        OutputStream raw = Content.Sink.asOutputStream(resp);
        OutputStream out = lz4 ? Lz4.frame(raw) : raw) {
      in.transferTo(out);
    } catch (IOException e) {
      cb.failed(e);
      return true;
    }
    cb.succeeded();
    return true;
  }

  private boolean put(Request req, Response resp, Callback cb, String ns, Key action, Key output) {
    long len = req.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
    if (len < 0) {
      metrics.putNoLength.increment();
      return text(resp, cb, 411, "PUT needs an exact Content-Length\n");
    }
    ServerStore store;
    try {
      store = namespaces.get(ns);
    } catch (Namespaces.LimitReached e) {
      drainSmallBody(req);
      metrics.putNamespaceLimit.increment();
      return text(resp, cb, 507, e.getMessage() + "\n");
    } catch (IOException e) {
      return text(resp, cb, 500, "cannot store the object\n");
    }
    long max = Math.min(limits.maxObject(), store.limit());
    if (len > max) {
      metrics.putTooLarge.increment();
      String which = max == limits.maxObject() ? "--max-object" : "the namespace's size limit";
      return text(resp, cb, 413, "object of " + len + " bytes is over " + which + " of " + max + " bytes\n");
    }
    long deadline = System.nanoTime() + limits.requestTimeoutMillis() * 1_000_000L;
    try (InputStream in = new DeadlineInput(Content.Source.asInputStream(req), deadline)) {
      store.put(action, output, len, in);
    } catch (BadPutException e) {
      metrics.putBad.increment();
      return text(resp, cb, 400, e.getMessage() + "\n");
    } catch (Backing.Unavailable e) {
      metrics.putBackingFailed.increment();
      return text(resp, cb, 503, "the backing store did not take the object; try again later\n");
    } catch (IOException e) {
      return text(resp, cb, 500, "cannot store the object\n");
    }
    metrics.putOk.increment();
    metrics.bytesIn.increment(len);
    resp.setStatus(204);
    resp.write(true, null, cb);
    return true;
  }

  private static Optional<Key> key(String hex) {
    if (hex.length() != Key.LENGTH * 2) {
      return Optional.empty();
    }
    try {
      return Optional.of(Key.ofHex(hex));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static boolean bad(Response resp, Callback cb) {
    return text(resp, cb, 400, "ids must be 64 hex digits\n");
  }

  public static boolean text(Response resp, Callback cb, int status, String body) {
    resp.setStatus(status);
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    if (!resp.getHeaders().contains(HttpHeader.CONTENT_TYPE) && b.length > 0) {
      resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    }
    resp.getHeaders().put(HttpHeader.CONTENT_LENGTH, b.length);
    resp.write(true, ByteBuffer.wrap(b), cb);
    return true;
  }
}
