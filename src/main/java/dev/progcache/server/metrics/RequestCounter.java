package dev.progcache.server.metrics;

import dev.progcache.cache.Metric;

/**
 * The requests the server answered, by route and outcome: {@code progcache_requests{route,outcome}}
 * at {@code /metrics}, and the figures of the status page. A request refused for its token counts
 * under {@code route="put"} when it was a PUT, else under {@code route="any"}.
 */
public enum RequestCounter implements Metric {
  ACTION_HIT("action", "hit", "GET /action answered with an entry"),
  ACTION_MISS("action", "miss", "GET /action for an id not held"),
  OUTPUT_HIT("output", "hit", "GET /output answered with a body"),
  OUTPUT_MISS("output", "miss", "GET /output for an id not held"),
  PUT_OK("put", "ok", "PUTs stored"),
  PUT_BAD("put", "bad", "PUTs whose size or SHA-256 disagreed with the body"),
  PUT_TOO_LARGE("put", "too_large", "PUTs over --max-object or the namespace size limit"),
  PUT_BACKING_FAILED("put", "backing_failed", "PUTs the backing bucket did not take"),
  PUT_NAMESPACE_LIMIT(
      "put", "namespace_limit", "PUTs that would have created a namespace beyond --max-namespaces"),
  PUT_NO_LENGTH("put", "no_length", "PUTs without a Content-Length"),
  PUT_UNAUTHORIZED("put", "unauthorized", "PUTs without a known token"),
  PUT_FORBIDDEN("put", "forbidden", "PUTs with a token that may not write the namespace"),
  UNAUTHORIZED("any", "unauthorized", "Other requests without a known token"),
  FORBIDDEN("any", "forbidden", "Other requests with a token lacking the grant"),
  NOT_FOUND("other", "not_found", "Requests for a path the server does not serve"),
  BATCH_HIT("batch", "hit", "Ids of prefetch batches answered with an object"),
  BATCH_MISS("batch", "miss", "Ids of prefetch batches not held"),
  MANIFEST_HIT("manifest", "hit", "GET /manifest answered with a manifest"),
  MANIFEST_MISS("manifest", "miss", "GET /manifest for a context without one"),
  MANIFEST_MERGE("manifest", "merged", "Build reports merged into a manifest"),
  MANIFEST_BAD("manifest", "bad", "Manifest reports refused (bad body, too many ids, no room)");

  private final String route;
  private final Names names;

  RequestCounter(String route, String outcome, String help) {
    this.route = route;
    this.names = new Names(route + "/" + outcome, outcome, help);
  }

  /**
   * The {@code route} label; {@link #label} is the {@code outcome}, {@link #key} {@code
   * route/outcome}.
   */
  public String route() {
    return route;
  }

  @Override
  public Names names() {
    return names;
  }
}
