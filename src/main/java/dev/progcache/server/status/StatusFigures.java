package dev.progcache.server.status;

import dev.progcache.modproxy.ModProxy;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What the status page and {@code /status.json} show, taken at one moment. Holds no secret: token
 * names at most, never tokens.
 *
 * @param version the server's version
 * @param principal the name of who asked (a token's name, or {@code anonymous})
 * @param started when the server started
 * @param now when the figures were taken
 * @param requests request counts since start
 * @param store size, limit and evictions of namespace {@code main}
 * @param rejected PUTs refused since start, by reason
 * @param namespaces the namespaces the asker may read, {@code main} first
 * @param largest the largest entries the asker may read, largest first
 * @param backing the bucket behind {@code main}, or null
 * @param hour the last hour in one-minute buckets, oldest first
 * @param day the last day in ten-minute buckets, oldest first
 * @param modules the module proxy's figures, or null when it is off
 */
record StatusFigures(
    String version,
    String principal,
    Instant started,
    Instant now,
    Requests requests,
    Store store,
    Rejected rejected,
    List<Namespace> namespaces,
    List<Largest> largest,
    @Nullable BackingState backing,
    List<StatusHistory.Bucket> hour,
    List<StatusHistory.Bucket> day,
    ModProxy.@Nullable Summary modules) {

  /**
   * Requests since start; uploads are accepted PUTs. Batch hits are entries sent in answer to
   * {@code POST /batch} (prefetch); a batch miss is not a lookup go made (if go asks for that id,
   * its {@code GET /action} counts the miss), so it stays out of the hit ratio.
   */
  record Requests(
      long actionHits,
      long actionMisses,
      long batchHits,
      long batchMisses,
      long outputHits,
      long outputMisses,
      long uploads,
      long uploadedBytes,
      long servedBytes) {
    /** Action lookups answered with an entry, whichever route asked: {@code GET} or batch. */
    long hits() {
      return actionHits + batchHits;
    }

    /** Action lookups that hit, 0 to 1; null before the first lookup. */
    @Nullable Double hitRatio() {
      return ratio(hits(), actionMisses);
    }
  }

  /** Size of the store against its limit. */
  record Store(long bytes, long limitBytes, long entries, long evictions) {}

  /**
   * PUTs refused, by reason: sha256 or size disagreed, over the limit, no length, token, bucket.
   */
  record Rejected(long integrity, long size, long noLength, long auth, long backing) {
    long total() {
      return integrity + size + noLength + auth + backing;
    }
  }

  /**
   * One namespace: its entries, bytes and lookups. Hits are lookups its entries answered (through
   * {@code GET} or batch, also for namespaces that read through to it, as {@code pr-1} to {@code
   * main}); misses are lookups nothing answered, counted in the first namespace of the chain asked
   * that exists. So the namespaces' hits and misses add up to the totals.
   */
  record Namespace(String name, long entries, long bytes, long limitBytes, long hits, long misses) {
    @Nullable Double hitRatio() {
      return ratio(hits, misses);
    }
  }

  /** One of the largest entries. */
  record Largest(String namespace, String action, String output, long bytes) {}

  /** The bucket behind the disk and its counters since start. */
  record BackingState(
      String location,
      long hits,
      long misses,
      long errors,
      long corrupt,
      long uploads,
      long uploadErrors) {}

  long uptimeSeconds() {
    return Math.max(0, java.time.Duration.between(started, now).toSeconds());
  }

  static @Nullable Double ratio(long hits, long misses) {
    long n = hits + misses;
    return n == 0 ? null : (double) hits / n;
  }
}
