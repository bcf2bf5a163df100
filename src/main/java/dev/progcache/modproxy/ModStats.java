package dev.progcache.modproxy;

import dev.progcache.cache.Metric;
import dev.progcache.cache.Stats;
import java.util.List;

/**
 * The module proxy's counters, by name, in a {@link Stats}: exported at {@code /metrics} as {@code
 * progcache_module_requests{outcome}} ({@link #OUTCOMES}) and {@code
 * progcache_module_bytes{direction}}, and shown on the status page.
 */
enum ModStats implements Metric {
  HITS("module-hits", "hit", "Versioned files and tiles served from this disk."),
  MISSES(
      "module-misses",
      "miss",
      "Versioned files and tiles not on this disk nor in the bucket: fetched upstream."),
  SHARED_HITS(
      "module-shared-hits",
      "shared_hit",
      "Not on this disk but in the bucket (another replica fetched it)."),
  JOINED(
      "module-joined", "joined", "Requests that waited for a fetch another request had started."),
  UPSTREAM_ERRORS(
      "module-upstream-errors",
      "upstream_error",
      "Fetches that failed: no answer, an error status, too large, cut short, hung."),
  REJECTED(
      "module-rejected",
      "rejected",
      "Files the upstream served that failed their check (a zip with a foreign entry...)."),
  LIST_HITS(
      "module-list-hits",
      "list_hit",
      "Lists and @latest answered from memory within their time to live."),
  LIST_REFRESHES(
      "module-list-refreshes", "list_refresh", "Lists and @latest asked of the upstream."),
  LIST_STALE(
      "module-list-stale",
      "list_stale",
      "Lists and @latest served stale because the upstream failed."),
  SUMDB("module-sumdb-requests", "sumdb", "Checksum database requests."),
  BYTES_FETCHED("module-bytes-fetched", "fetched", "Bytes fetched from upstream and stored."),
  BYTES_SERVED("module-bytes-served", "served", "Bytes sent to clients."),
  DENIED(
      "module-denied",
      "denied",
      "Requests refused: no or unknown token (401) or no modules grant (403).");

  /** Every request outcome, in {@code /metrics} order. */
  static final List<ModStats> OUTCOMES =
      List.of(
          HITS,
          MISSES,
          SHARED_HITS,
          JOINED,
          UPSTREAM_ERRORS,
          REJECTED,
          LIST_HITS,
          LIST_REFRESHES,
          LIST_STALE,
          SUMDB,
          DENIED);

  private final Names names;

  ModStats(String key, String label, String help) {
    this.names = new Names(key, label, help);
  }

  @Override
  public Names names() {
    return names;
  }
}
