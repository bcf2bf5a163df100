package dev.progcache.modproxy;

import dev.progcache.cache.Stats;

/**
 * The module proxy's counters, by name, in a {@link Stats}: exported at {@code /metrics} as {@code
 * progcache_module_requests{outcome}} and {@code progcache_module_bytes{direction}}, and shown on
 * the status page.
 *
 * <p>Thread-safe.
 */
final class ModStats {
  /** Versioned files and tiles served from this disk. */
  static final String HITS = "module-hits";
  /** Versioned files and tiles not on this disk nor in the bucket: fetched upstream. */
  static final String MISSES = "module-misses";
  /** Not on this disk but in the bucket (another replica fetched it). */
  static final String SHARED_HITS = "module-shared-hits";
  /** Requests that waited for a fetch another request had started. */
  static final String JOINED = "module-joined";
  /** Fetches that failed: no answer, an error status, too large, cut short, hung. */
  static final String UPSTREAM_ERRORS = "module-upstream-errors";
  /** Files the upstream served that failed their check (a zip with a foreign entry...). */
  static final String REJECTED = "module-rejected";
  /** Lists and @latest answered from memory within their time to live. */
  static final String LIST_HITS = "module-list-hits";
  /** Lists and @latest asked of the upstream. */
  static final String LIST_REFRESHES = "module-list-refreshes";
  /** Lists and @latest served stale because the upstream failed. */
  static final String LIST_STALE = "module-list-stale";
  /** Checksum database requests passed through. */
  static final String SUMDB = "module-sumdb-requests";
  /** Bytes fetched from upstream and stored. */
  static final String BYTES_FETCHED = "module-bytes-fetched";
  /** Bytes sent to clients. */
  static final String BYTES_SERVED = "module-bytes-served";
  /** Requests refused: no or unknown token (401) or no modules grant (403). */
  static final String DENIED = "module-denied";

  /** Every request outcome, with the label /metrics gives it. */
  static final String[][] OUTCOMES = {
    {HITS, "hit"}, {MISSES, "miss"}, {SHARED_HITS, "shared_hit"}, {JOINED, "joined"},
    {UPSTREAM_ERRORS, "upstream_error"}, {REJECTED, "rejected"}, {LIST_HITS, "list_hit"},
    {LIST_REFRESHES, "list_refresh"}, {LIST_STALE, "list_stale"}, {SUMDB, "sumdb"}, {DENIED, "denied"}
  };

  private ModStats() {}
}
