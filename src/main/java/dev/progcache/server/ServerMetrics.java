package dev.progcache.server;

import dev.progcache.cache.Stats;
import dev.progcache.remote.ReadOnly;
import dev.progcache.remote.RemoteLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * The server's counters, exported in the Prometheus text format at {@code /metrics}. Labels carry
 * routes, outcomes and namespace names only, never tokens or principals' secrets. A request
 * refused for its token counts under {@code route="put"} when it was a PUT, else under {@code
 * route="any"}. Every metric has its {@code # HELP} text; request durations are in {@link
 * RequestTimes}, the process and JVM in {@link ProcessMetrics}.
 *
 * <p>Thread-safe.
 */
final class ServerMetrics {
  private static final String LOOKUPS =
      "Action lookups go made, whichever route answered: GET /action or a prefetch batch (hits);"
          + " a batch's misses are not counted, go's own GET for such an id is";
  private static final String REQUESTS = "Requests answered, by route and outcome";
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final Counter actionHit = requests("action", "hit");
  final Counter actionMiss = requests("action", "miss");
  final Counter outputHit = requests("output", "hit");
  final Counter outputMiss = requests("output", "miss");
  final Counter putOk = requests("put", "ok");
  final Counter putBad = requests("put", "bad");
  final Counter putTooLarge = requests("put", "too_large");
  final Counter putBackingFailed = requests("put", "backing_failed");
  final Counter putNamespaceLimit = requests("put", "namespace_limit");
  final Counter putNoLength = requests("put", "no_length");
  final Counter putUnauthorized = requests("put", "unauthorized");
  final Counter putForbidden = requests("put", "forbidden");
  final Counter unauthorized = requests("any", "unauthorized");
  final Counter forbidden = requests("any", "forbidden");
  final Counter notFound = requests("other", "not_found");
  final Counter batchHit = requests("batch", "hit");
  final Counter batchMiss = requests("batch", "miss");
  final Counter manifestHit = requests("manifest", "hit");
  final Counter manifestMiss = requests("manifest", "miss");
  final Counter manifestMerge = requests("manifest", "merged");
  final Counter manifestBad = requests("manifest", "bad");
  final Counter bytesOut =
      Counter.builder("progcache_served_bytes")
          .description("Body bytes sent to clients (GET and batch), before compression")
          .register(registry);
  final Counter bytesIn =
      Counter.builder("progcache_stored_bytes").description("Body bytes of accepted PUTs").register(registry);
  private final RequestTimes times = new RequestTimes(registry);
  private final ProcessMetrics process = new ProcessMetrics(registry);

  ServerMetrics(ServerStore store) {
    Gauge.builder("progcache_store_bytes", store, ServerStore::bytes)
        .description("Bytes stored in namespace main on this server's disk")
        .register(registry);
    Gauge.builder("progcache_store_limit_bytes", store, ServerStore::limit)
        .description("Size limit of namespace main on this server's disk (serve --max-size)")
        .register(registry);
    Gauge.builder("progcache_store_objects", store, ServerStore::objects)
        .description("Objects stored in namespace main on this server's disk")
        .register(registry);
    FunctionCounter.builder("progcache_evictions", store, ServerStore::evictions)
        .description("Objects evicted from namespace main to stay under its limit")
        .register(registry);
    FunctionCounter.builder("progcache_lookups", this, m -> n(m.actionHit) + n(m.batchHit))
        .description(LOOKUPS)
        .tag("outcome", "hit")
        .register(registry);
    FunctionCounter.builder("progcache_lookups", this, m -> n(m.actionMiss))
        .description(LOOKUPS)
        .tag("outcome", "miss")
        .register(registry);
  }

  /** Records a request's duration (see {@link RequestTimes}). */
  void timed(RequestTimes.Route route, int status, long nanos) {
    times.record(route, status, nanos);
  }

  /** Stops listening for garbage collections. */
  void close() {
    process.close();
  }

  /** Exports the size, objects and lookups of namespace {@code name}. */
  void namespace(String name, ServerStore s) {
    Gauge.builder("progcache_namespace_bytes", s, ServerStore::bytes)
        .description("Bytes stored in the namespace on this server's disk")
        .tag("namespace", name)
        .register(registry);
    Gauge.builder("progcache_namespace_limit_bytes", s, ServerStore::limit)
        .description("Size limit of the namespace on this server's disk")
        .tag("namespace", name)
        .register(registry);
    Gauge.builder("progcache_namespace_objects", s, ServerStore::objects)
        .description("Objects stored in the namespace on this server's disk")
        .tag("namespace", name)
        .register(registry);
    String lookups =
        "Action lookups by namespace: hits in the namespace that answered (also for namespaces"
            + " reading through to it), misses in the first namespace asked that exists";
    FunctionCounter.builder("progcache_namespace_lookups", s, ServerStore::hits)
        .description(lookups)
        .tag("namespace", name)
        .tag("outcome", "hit")
        .register(registry);
    FunctionCounter.builder("progcache_namespace_lookups", s, ServerStore::misses)
        .description(lookups)
        .tag("namespace", name)
        .tag("outcome", "miss")
        .register(registry);
  }

  /**
   * Cumulative counts in the order of {@link StatusHistory.Field}; action hits are those of
   * {@code GET} and of batches.
   */
  long[] totals() {
    return new long[] {
      n(actionHit) + n(batchHit), n(actionMiss), n(outputHit), n(outputMiss), n(putOk), rejectedPuts()
    };
  }

  /** PUTs refused: integrity, size, length, token and backing store failures. */
  long rejectedPuts() {
    return n(putBad) + n(putTooLarge) + n(putNoLength) + n(putUnauthorized) + n(putForbidden) + n(putBackingFailed)
        + n(putNamespaceLimit);
  }

  static long n(Counter c) {
    return (long) c.count();
  }

  /**
   * Adds the OIDC key set's request count ({@code progcache_oidc_key_fetches}) and the tokens
   * checked by outcome ({@code progcache_oidc_tokens{outcome="accepted|refused|no_rule"}}).
   */
  void oidc(OidcVerifier v) {
    FunctionCounter.builder("progcache_oidc_key_fetches", v.jwks(), Jwks::fetches)
        .description("Requests for the OIDC issuer's signing keys (JWKS)")
        .register(registry);
    String d = "OIDC tokens checked: accepted, refused (401) or verified but matched by no rule (403)";
    FunctionCounter.builder("progcache_oidc_tokens", v, OidcVerifier::accepted)
        .description(d).tag("outcome", "accepted").register(registry);
    FunctionCounter.builder("progcache_oidc_tokens", v, OidcVerifier::refused)
        .description(d).tag("outcome", "refused").register(registry);
    FunctionCounter.builder("progcache_oidc_tokens", v, OidcVerifier::unmatched)
        .description(d).tag("outcome", "no_rule").register(registry);
  }

  /** Exports the counters of a backing bucket as {@code progcache_backing_requests{outcome}}. */
  void backing(Stats s) {
    outcomes("progcache_backing_requests", "Requests to the bucket behind namespace main, by outcome", s, new String[][] {
      {RemoteLog.HITS, "hit"}, {RemoteLog.MISSES, "miss"}, {RemoteLog.ERRORS, "error"},
      {RemoteLog.CORRUPT, "corrupt"}, {RemoteLog.SKIPPED, "skipped"},
      {RemoteLog.UPLOADS, "upload"}, {RemoteLog.UPLOAD_ERRORS, "upload_error"}
    });
  }

  /**
   * Exports the counters of an edge cache's upstream as {@code progcache_upstream_requests{outcome}},
   * the bytes moved as {@code progcache_upstream_bytes{direction}}, and the forwarding queue.
   */
  void upstream(Stats s, ToDoubleFunction<Stats> queued) {
    outcomes("progcache_upstream_requests", "Requests this edge sent to its upstream server, by outcome", s, new String[][] {
      {RemoteLog.HITS, "hit"}, {RemoteLog.MISSES, "miss"}, {RemoteLog.ERRORS, "error"},
      {RemoteLog.CORRUPT, "corrupt"}, {RemoteLog.SKIPPED, "skipped"},
      {RemoteLog.UPLOADS, "upload"}, {RemoteLog.UPLOAD_ERRORS, "upload_error"},
      {RemoteLog.UPLOAD_DROPPED, "upload_dropped"}, {RemoteLog.UPLOAD_TIMEOUTS, "upload_timeout"},
      {RemoteLog.UPLOAD_REJECTED, "upload_rejected"}, {ReadOnly.SKIPPED, "upload_read_only"}
    });
    String bytes = "Body bytes this edge read from (down) and forwarded to (up) its upstream server";
    FunctionCounter.builder("progcache_upstream_bytes", s, x -> x.get(RemoteLog.BYTES_DOWN))
        .description(bytes)
        .tag("direction", "down")
        .register(registry);
    FunctionCounter.builder("progcache_upstream_bytes", s, x -> x.get(RemoteLog.BYTES_UP))
        .description(bytes)
        .tag("direction", "up")
        .register(registry);
    Gauge.builder("progcache_upstream_queue", s, queued)
        .description("Uploads queued for forwarding to the upstream server")
        .register(registry);
  }

  private void outcomes(String metric, String help, Stats s, String[][] pairs) {
    for (String[] c : pairs) {
      FunctionCounter.builder(metric, s, x -> x.get(c[0])).description(help).tag("outcome", c[1]).register(registry);
    }
  }

  private Counter requests(String route, String outcome) {
    return Counter.builder("progcache_requests")
        .description(REQUESTS)
        .tag("route", route)
        .tag("outcome", outcome)
        .register(registry);
  }

  /** The Prometheus text exposition. */
  String scrape() {
    return registry.scrape();
  }
}
