package dev.progcache.remote;

import dev.progcache.cache.Metric;
import java.util.List;

/**
 * The remote tiers' counters, in the order they appear in the stats line. The server exports the
 * same counters of its bucket or upstream at {@code /metrics} ({@link #BACKING}, {@link #UPSTREAM})
 * and shows some on its status page.
 */
public enum RemoteCounter implements Metric {
  HITS("remote-hits", "hit", "Lookups the remote answered with an object"),
  MISSES("remote-misses", "miss", "Lookups the remote did not have"),
  ERRORS("remote-errors", "error", "Remote requests that failed (network, status, timeout)"),
  CORRUPT("remote-corrupt", "corrupt", "Remote objects whose size or SHA-256 disagreed"),
  SKIPPED("remote-skipped", "skipped", "Lookups not sent because the remote was held off"),
  UPLOADS("remote-uploads", "upload", "Objects uploaded"),
  BYTES_DOWN("remote-bytes-down", "down", "Body bytes read from the remote"),
  BYTES_UP("remote-bytes-up", "up", "Body bytes uploaded to the remote"),
  UPLOAD_ERRORS("remote-upload-errors", "upload_error", "Uploads that failed"),
  UPLOAD_DROPPED("remote-upload-dropped", "upload_dropped", "Uploads dropped: the queue was full"),
  UPLOAD_TIMEOUTS(
      "remote-upload-timeouts", "upload_timeout", "Uploads still queued at the drain deadline"),
  UPLOAD_REJECTED("remote-upload-rejected", "upload_rejected", "Uploads the remote refused"),
  UPLOAD_HELD("remote-upload-held", "upload_held", "Uploads that waited while every core was busy"),
  READ_ONLY(
      "remote-read-only",
      "read_only",
      "1 when the helper is read-only (--read-only, or its token may not write)"),
  UPLOAD_READ_ONLY(
      "remote-upload-read-only", "upload_read_only", "Uploads not sent: the remote is read-only"),
  PREFETCHED("prefetched", "prefetched", "Objects prefetched into the local cache"),
  PREFETCH_LISTED("prefetch-listed", "prefetch_listed", "Ids the prefetch manifest listed"),
  PREFETCH_USED("prefetch-used", "prefetch_used", "Prefetched objects go then asked for"),
  PREFETCH_WAITED(
      "prefetch-waited", "prefetch_waited", "Lookups that waited for a prefetch in flight"),
  PREFETCH_WASTED_BYTES(
      "prefetch-wasted-bytes", "prefetch_wasted", "Bytes prefetched that go never asked for"),
  PREFETCH_BYTES("prefetch-bytes", "prefetch_bytes", "Body bytes prefetched"),
  PREFETCH_ERRORS("prefetch-errors", "prefetch_error", "Prefetch requests that failed"),
  PREFETCH_HELD(
      "prefetch-held",
      "prefetch_held",
      "Listed ids a warm directory lacked, held back from prefetch"),
  PREFETCH_RELEASED(
      "prefetch-released", "prefetch_released", "Held ids fetched after all: the build used them"),
  S3_GETS("s3-get-requests", "s3_get", "GET requests sent to the bucket"),
  S3_PUTS("s3-put-requests", "s3_put", "PUT requests sent to the bucket");

  /** Counters the stats line always shows, even at zero, in this order. */
  public static final List<RemoteCounter> ALWAYS =
      List.of(HITS, MISSES, ERRORS, UPLOADS, BYTES_DOWN, BYTES_UP);

  /** The outcomes of requests to a server's backing bucket, in {@code /metrics} order. */
  public static final List<RemoteCounter> BACKING =
      List.of(HITS, MISSES, ERRORS, CORRUPT, SKIPPED, UPLOADS, UPLOAD_ERRORS);

  /** The outcomes of an edge server's requests to its upstream, in {@code /metrics} order. */
  public static final List<RemoteCounter> UPSTREAM =
      List.of(
          HITS,
          MISSES,
          ERRORS,
          CORRUPT,
          SKIPPED,
          UPLOADS,
          UPLOAD_ERRORS,
          UPLOAD_DROPPED,
          UPLOAD_TIMEOUTS,
          UPLOAD_REJECTED,
          UPLOAD_READ_ONLY);

  private final Names names;

  RemoteCounter(String key, String label, String help) {
    this.names = new Names(key, label, help);
  }

  @Override
  public Names names() {
    return names;
  }
}
