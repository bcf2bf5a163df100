package dev.progcache.server.http;

import dev.progcache.server.auth.Authenticator;
import dev.progcache.server.auth.Tokens;
import dev.progcache.server.metrics.RequestCounter;
import dev.progcache.server.metrics.ServerMetrics;
import dev.progcache.server.status.StatusHandler;
import dev.progcache.server.store.Manifests;
import dev.progcache.server.store.Namespaces;
import dev.progcache.server.store.NextTier;
import java.util.List;
import java.util.Optional;
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
 *   <li>{@code GET /grants}: what the token may do (see {@link GrantsEndpoint}).
 *   <li>{@code GET /healthz}, {@code GET /metrics} (see {@link MetricsEndpoint}); {@code GET /} and
 *       {@code /status.json} are answered by {@link StatusHandler} in front of this one.
 * </ul>
 *
 * <p>Cache paths may start with {@code /ns/<name>}: the request is then in that namespace, else in
 * the principal's home namespace. A read searches the namespace and then the principal's later read
 * namespaces (a pull request's {@code pr-1} then {@code main}), first on this disk, then in each
 * one's {@link NextTier} (bucket or upstream server); a write goes to the principal's home
 * namespace only (see {@link Tokens.Principal}). {@code GET /output/<hex>} is answered from this
 * disk only.
 *
 * <p>Bodies are lz4-framed when the client accepts lz4 and they are big enough to gain. 401 for a
 * missing or unknown token (or an OIDC token that does not verify), 403 for a token without the
 * grant (or a verified OIDC token no rule matches), 507 for a write that would create a namespace
 * beyond the server's limit.
 *
 * <p>The handler parses the route once ({@link Route}) and dispatches: {@link Access} checks the
 * token, {@link ObjectEndpoints} answers lookups and PUTs, {@link PrefetchEndpoints} batches and
 * manifests, {@link MetricsEndpoint} the scrape.
 *
 * <p>Thread-safe. Declared non-blocking, so Jetty may call it on its selector thread: a GET for a
 * small body on a local, already open store, with a token from the tokens file, is answered right
 * there (a page-cache read); anything that may block — OIDC tokens (the issuer's keys may need
 * fetching), PUTs, stores backed by a bucket or an upstream or not yet opened, large bodies —
 * continues on a virtual thread of its own.
 */
public final class CacheHandler extends Handler.Abstract.NonBlocking {
  /** Settings the handler needs: limits on objects and time, and when to compress. */
  public record Limits(long maxObject, long requestTimeoutMillis, long lz4MinSize) {}

  private final ServerMetrics metrics;
  private final Access access;
  private final Authenticator auth;
  private final Offload offload = new Offload();
  private final ObjectEndpoints objects;
  private final PrefetchEndpoints prefetch;
  private final MetricsEndpoint metricsEndpoint;

  public CacheHandler(
      Namespaces namespaces, Authenticator auth, ServerMetrics metrics, Limits limits) {
    this.metrics = metrics;
    this.access = new Access(auth, metrics);
    this.auth = auth;
    this.objects = new ObjectEndpoints(namespaces, metrics, limits, offload);
    this.metricsEndpoint = new MetricsEndpoint(auth, metrics);
    this.prefetch =
        new PrefetchEndpoints(
            namespaces,
            new Manifests(namespaces.dir().resolve("manifests"), System::currentTimeMillis),
            metrics);
  }

  @Override
  public boolean handle(Request req, Response resp, Callback cb) throws Exception {
    Route route = Route.parse(req.getMethod(), Request.getPathInContext(req));
    if (access.mayBlock(req)) {
      return offload.run(req, resp, cb, () -> dispatch(route, req, resp, cb));
    }
    return dispatch(route, req, resp, cb);
  }

  /** Work to do with the namespaces a token may use. */
  @FunctionalInterface
  private interface Granted {
    void run(List<String> namespaces) throws Exception;
  }

  /** Checks the token (answering 401/403 itself), then does {@code work} with its namespaces. */
  private void checked(
      Request req, Response resp, Callback cb, @Nullable String ns, Tokens.Grant need, Granted work)
      throws Exception {
    Optional<List<String>> granted = access.check(req, resp, cb, ns, need);
    if (granted.isPresent()) {
      work.run(granted.get());
    }
  }

  /** As {@link #checked}, on a virtual thread of its own. */
  private boolean offloadChecked(
      Request req, Response resp, Callback cb, @Nullable String ns, Tokens.Grant need, Granted work)
      throws Exception {
    return offload.run(req, resp, cb, () -> checked(req, resp, cb, ns, need, work));
  }

  private boolean dispatch(Route route, Request req, Response resp, Callback cb) throws Exception {
    @Nullable String ns = route.namespace();
    return switch (route.kind()) {
      case HEALTH -> Answers.text(resp, cb, 200, "ok\n");
      case METRICS -> offload.run(req, resp, cb, () -> metricsEndpoint.scrape(req, resp, cb));
      case BAD_NAMESPACE ->
          Answers.text(resp, cb, 400, "bad namespace in the path (" + Namespaces.RULE + ")\n");
      case BAD_ID -> Answers.badId(resp, cb);
      case NOT_FOUND -> {
        metrics.count(RequestCounter.NOT_FOUND);
        yield Answers.text(resp, cb, 404, "not found\n");
      }
      case BATCH -> {
        Optional<List<String>> chain = access.check(req, resp, cb, ns, Tokens.Grant.READ);
        yield chain.isEmpty()
            || offload.run(
                req, resp, cb, () -> prefetch.batch(req, resp, cb, chain.get(), Lz4.accepted(req)));
      }
      case GRANTS -> GrantsEndpoint.answer(auth, req, resp, cb, ns);
      case MANIFEST_GET ->
          offloadChecked(
              req,
              resp,
              cb,
              ns,
              Tokens.Grant.READ,
              namespaces -> prefetch.manifest(resp, cb, namespaces, route.id()));
      case MANIFEST_POST ->
          offloadChecked(
              req,
              resp,
              cb,
              ns,
              Tokens.Grant.WRITE,
              namespaces -> prefetch.merge(req, resp, cb, namespaces.get(0), route.id()));
      case ACTION, OUTPUT -> {
        Optional<List<String>> chain = access.check(req, resp, cb, ns, Tokens.Grant.READ);
        if (chain.isEmpty()) {
          yield true;
        }
        yield route.kind() == Route.Kind.ACTION
            ? objects.action(req, resp, cb, chain.get(), route.id())
            : objects.output(req, resp, cb, chain.get(), route.id());
      }
      // on a virtual thread from the start: a refused PUT's small body is read before the answer
      case PUT ->
          offloadChecked(
              req,
              resp,
              cb,
              ns,
              Tokens.Grant.WRITE,
              namespaces ->
                  objects.put(req, resp, cb, namespaces.get(0), route.id(), route.output()));
    };
  }
}
