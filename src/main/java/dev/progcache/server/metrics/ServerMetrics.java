package dev.progcache.server.metrics;

import dev.progcache.cache.Metric;
import dev.progcache.cache.Stats;
import dev.progcache.modproxy.ModProxy;
import dev.progcache.remote.RemoteCounter;
import dev.progcache.server.auth.Jwks;
import dev.progcache.server.auth.OidcVerifier;
import dev.progcache.server.status.StatusHistory;
import dev.progcache.server.store.ServerStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The server's counters, exported in the Prometheus text format at {@code /metrics}. Labels carry
 * routes, outcomes and namespace names only, never tokens or principals' secrets. A request refused
 * for its token counts under {@code route="put"} when it was a PUT, else under {@code route="any"}.
 * Every metric has its {@code # HELP} text; request durations are in {@link RequestTimes}, the
 * process and JVM in {@link ProcessMetrics}.
 *
 * <p>Thread-safe.
 */
public final class ServerMetrics {
  private static final String LOOKUPS =
      "Action lookups go made, whichever route answered: GET /action or a prefetch batch (hits);"
          + " a batch's misses are not counted, go's own GET for such an id is";
  private static final String REQUESTS = "Requests answered, by route and outcome";
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final EnumMap<RequestCounter, Counter> requests = new EnumMap<>(RequestCounter.class);
  public final Counter bytesOut =
      Counter.builder("progcache_served_bytes")
          .description("Body bytes sent to clients (GET and batch), before compression")
          .register(registry);
  public final Counter bytesIn =
      Counter.builder("progcache_stored_bytes")
          .description("Body bytes of accepted PUTs")
          .register(registry);
  private final RequestTimes times = new RequestTimes(registry);
  private final ProcessMetrics process = new ProcessMetrics(registry);

  public ServerMetrics(ServerStore store) {
    for (RequestCounter c : RequestCounter.values()) {
      requests.put(
          c,
          Counter.builder("progcache_requests")
              .description(REQUESTS)
              .tag("route", c.route())
              .tag("outcome", c.label())
              .register(registry));
    }
    gauge(
        "progcache_store_bytes",
        "Bytes stored in namespace main on this server's disk",
        store,
        ServerStore::bytes);
    gauge(
        "progcache_store_limit_bytes",
        "Size limit of namespace main on this server's disk (serve --max-size)",
        store,
        ServerStore::limit);
    gauge(
        "progcache_store_objects",
        "Objects stored in namespace main on this server's disk",
        store,
        ServerStore::objects);
    counter(
        "progcache_evictions",
        "Objects evicted from namespace main to stay under its limit",
        store,
        ServerStore::evictions);
    counter(
        "progcache_lookups",
        LOOKUPS,
        this,
        m -> m.get(RequestCounter.ACTION_HIT) + m.get(RequestCounter.BATCH_HIT),
        "outcome",
        "hit");
    counter(
        "progcache_lookups",
        LOOKUPS,
        this,
        m -> m.get(RequestCounter.ACTION_MISS),
        "outcome",
        "miss");
  }

  private <T> void gauge(String name, String help, T of, ToDoubleFunction<T> f, String... tags) {
    Gauge.builder(name, of, f).description(help).tags(tags).register(registry);
  }

  private <T> void counter(String name, String help, T of, ToDoubleFunction<T> f, String... tags) {
    FunctionCounter.builder(name, of, f).description(help).tags(tags).register(registry);
  }

  /** Records a request's duration (see {@link RequestTimes}). */
  public void timed(RequestTimes.Route route, int status, long nanos) {
    times.record(route, status, nanos);
  }

  /** Stops listening for garbage collections. */
  public void close() {
    process.close();
  }

  /** Exports the size, objects and lookups of namespace {@code name}. */
  public void namespace(String name, ServerStore s) {
    gauge(
        "progcache_namespace_bytes",
        "Bytes stored in the namespace on this server's disk",
        s,
        ServerStore::bytes,
        "namespace",
        name);
    gauge(
        "progcache_namespace_limit_bytes",
        "Size limit of the namespace on this server's disk",
        s,
        ServerStore::limit,
        "namespace",
        name);
    gauge(
        "progcache_namespace_objects",
        "Objects stored in the namespace on this server's disk",
        s,
        ServerStore::objects,
        "namespace",
        name);
    String lookups =
        "Action lookups by namespace: hits in the namespace that answered (also for namespaces"
            + " reading through to it), misses in the first namespace asked that exists";
    counter(
        "progcache_namespace_lookups",
        lookups,
        s,
        ServerStore::hits,
        "namespace",
        name,
        "outcome",
        "hit");
    counter(
        "progcache_namespace_lookups",
        lookups,
        s,
        ServerStore::misses,
        "namespace",
        name,
        "outcome",
        "miss");
  }

  /**
   * Cumulative counts in the order of {@link StatusHistory.Field}; action hits are those of {@code
   * GET} and of batches.
   */
  public long[] totals() {
    return new long[] {
      get(RequestCounter.ACTION_HIT) + get(RequestCounter.BATCH_HIT),
      get(RequestCounter.ACTION_MISS),
      get(RequestCounter.OUTPUT_HIT),
      get(RequestCounter.OUTPUT_MISS),
      get(RequestCounter.PUT_OK),
      rejectedPuts()
    };
  }

  /** PUTs refused: integrity, size, length, token and backing store failures. */
  long rejectedPuts() {
    return get(RequestCounter.PUT_BAD)
        + get(RequestCounter.PUT_TOO_LARGE)
        + get(RequestCounter.PUT_NO_LENGTH)
        + get(RequestCounter.PUT_UNAUTHORIZED)
        + get(RequestCounter.PUT_FORBIDDEN)
        + get(RequestCounter.PUT_BACKING_FAILED)
        + get(RequestCounter.PUT_NAMESPACE_LIMIT);
  }

  /** Counts one request of {@code c}. */
  public void count(RequestCounter c) {
    requests.get(c).increment();
  }

  /** The requests of {@code c} so far. */
  public long get(RequestCounter c) {
    return n(requests.get(c));
  }

  public static long n(Counter c) {
    return (long) c.count();
  }

  /**
   * Adds the OIDC key set's request count ({@code progcache_oidc_key_fetches}) and the tokens
   * checked by outcome ({@code progcache_oidc_tokens{outcome="accepted|refused|no_rule"}}).
   */
  public void oidc(OidcVerifier v) {
    counter(
        "progcache_oidc_key_fetches",
        "Requests for the OIDC issuer's signing keys (JWKS)",
        v.jwks(),
        Jwks::fetches);
    String d =
        "OIDC tokens checked: accepted, refused (401) or verified but matched by no rule (403)";
    counter("progcache_oidc_tokens", d, v, OidcVerifier::accepted, "outcome", "accepted");
    counter("progcache_oidc_tokens", d, v, OidcVerifier::refused, "outcome", "refused");
    counter("progcache_oidc_tokens", d, v, OidcVerifier::unmatched, "outcome", "no_rule");
  }

  /** Exports the counters of a backing bucket as {@code progcache_backing_requests{outcome}}. */
  public void backing(Stats s) {
    outcomes(
        "progcache_backing_requests",
        "Requests to the bucket behind namespace main, by outcome",
        s,
        RemoteCounter.BACKING);
  }

  /**
   * Exports the counters of an edge cache's upstream as {@code
   * progcache_upstream_requests{outcome}}, the bytes moved as {@code
   * progcache_upstream_bytes{direction}}, and the forwarding queue.
   */
  public void upstream(Stats s, ToDoubleFunction<Stats> queued) {
    outcomes(
        "progcache_upstream_requests",
        "Requests this edge sent to its upstream server, by outcome",
        s,
        RemoteCounter.UPSTREAM);
    String bytes =
        "Body bytes this edge read from (down) and forwarded to (up) its upstream server";
    counter(
        "progcache_upstream_bytes",
        bytes,
        s,
        x -> x.get(RemoteCounter.BYTES_DOWN),
        "direction",
        RemoteCounter.BYTES_DOWN.label());
    counter(
        "progcache_upstream_bytes",
        bytes,
        s,
        x -> x.get(RemoteCounter.BYTES_UP),
        "direction",
        RemoteCounter.BYTES_UP.label());
    gauge(
        "progcache_upstream_queue",
        "Uploads queued for forwarding to the upstream server",
        s,
        queued);
  }

  /**
   * Exports the module proxy's counters as {@code progcache_module_requests{outcome}} and its bytes
   * as {@code progcache_module_bytes{direction}} (fetched from upstream, served).
   */
  public void modules(Stats s) {
    outcomes("progcache_module_requests", "Module proxy requests by outcome", s, ModProxy.OUTCOMES);
    String bytes = "Module file bytes fetched from upstream proxies and served to clients";
    counter(
        "progcache_module_bytes",
        bytes,
        s,
        x -> x.get(ModProxy.BYTES_FETCHED),
        "direction",
        ModProxy.BYTES_FETCHED.label());
    counter(
        "progcache_module_bytes",
        bytes,
        s,
        x -> x.get(ModProxy.BYTES_SERVED),
        "direction",
        ModProxy.BYTES_SERVED.label());
  }

  private void outcomes(String metric, String help, Stats s, List<? extends Metric> counters) {
    for (Metric c : counters) {
      counter(metric, help, s, x -> x.get(c), "outcome", c.label());
    }
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }
}
