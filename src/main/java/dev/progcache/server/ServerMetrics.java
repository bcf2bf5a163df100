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
 * route="any"}.
 *
 * <p>Thread-safe.
 */
final class ServerMetrics {
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
  final Counter bytesOut = Counter.builder("progcache_served_bytes").register(registry);
  final Counter bytesIn = Counter.builder("progcache_stored_bytes").register(registry);

  ServerMetrics(ServerStore store) {
    Gauge.builder("progcache_store_bytes", store, ServerStore::bytes).register(registry);
    Gauge.builder("progcache_store_limit_bytes", store, ServerStore::limit).register(registry);
    Gauge.builder("progcache_store_objects", store, ServerStore::objects).register(registry);
    FunctionCounter.builder("progcache_evictions", store, ServerStore::evictions).register(registry);
  }

  /** Exports the size, objects and lookups of namespace {@code name}. */
  void namespace(String name, ServerStore s) {
    Gauge.builder("progcache_namespace_bytes", s, ServerStore::bytes).tag("namespace", name).register(registry);
    Gauge.builder("progcache_namespace_limit_bytes", s, ServerStore::limit)
        .tag("namespace", name)
        .register(registry);
    Gauge.builder("progcache_namespace_objects", s, ServerStore::objects)
        .tag("namespace", name)
        .register(registry);
    FunctionCounter.builder("progcache_namespace_lookups", s, ServerStore::hits)
        .tag("namespace", name)
        .tag("outcome", "hit")
        .register(registry);
    FunctionCounter.builder("progcache_namespace_lookups", s, ServerStore::misses)
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

  /** Adds the OIDC key set's request count ({@code progcache_oidc_key_fetches}). */
  void oidc(OidcVerifier v) {
    FunctionCounter.builder("progcache_oidc_key_fetches", v.jwks(), Jwks::fetches).register(registry);
  }

  /** Exports the counters of a backing bucket as {@code progcache_backing_requests{outcome}}. */
  void backing(Stats s) {
    outcomes("progcache_backing_requests", s, new String[][] {
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
    outcomes("progcache_upstream_requests", s, new String[][] {
      {RemoteLog.HITS, "hit"}, {RemoteLog.MISSES, "miss"}, {RemoteLog.ERRORS, "error"},
      {RemoteLog.CORRUPT, "corrupt"}, {RemoteLog.SKIPPED, "skipped"},
      {RemoteLog.UPLOADS, "upload"}, {RemoteLog.UPLOAD_ERRORS, "upload_error"},
      {RemoteLog.UPLOAD_DROPPED, "upload_dropped"}, {RemoteLog.UPLOAD_TIMEOUTS, "upload_timeout"},
      {RemoteLog.UPLOAD_REJECTED, "upload_rejected"}, {ReadOnly.SKIPPED, "upload_read_only"}
    });
    FunctionCounter.builder("progcache_upstream_bytes", s, x -> x.get(RemoteLog.BYTES_DOWN))
        .tag("direction", "down")
        .register(registry);
    FunctionCounter.builder("progcache_upstream_bytes", s, x -> x.get(RemoteLog.BYTES_UP))
        .tag("direction", "up")
        .register(registry);
    Gauge.builder("progcache_upstream_queue", s, queued).register(registry);
  }

  private void outcomes(String metric, Stats s, String[][] pairs) {
    for (String[] c : pairs) {
      FunctionCounter.builder(metric, s, x -> x.get(c[0])).tag("outcome", c[1]).register(registry);
    }
  }

  private Counter requests(String route, String outcome) {
    return Counter.builder("progcache_requests")
        .tag("route", route)
        .tag("outcome", outcome)
        .register(registry);
  }

  /** The Prometheus text exposition. */
  String scrape() {
    return registry.scrape();
  }
}
