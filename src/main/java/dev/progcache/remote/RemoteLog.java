package dev.progcache.remote;

import dev.progcache.cache.Stats;
import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the remote tiers report: counters in the session's {@link Stats}, and messages on go's
 * stderr: the first message of a session only, so a down or refusing remote costs a go command one
 * line, not one per kind of failure (get, upload, prefetch, credentials). The counters (-v) still
 * count everything.
 *
 * <p>Thread-safe. Messages must never contain credentials.
 */
public final class RemoteLog {
  /** Remote counters, in the order they appear in the stats line. */
  public static final String HITS = "remote-hits";

  public static final String MISSES = "remote-misses";
  public static final String ERRORS = "remote-errors";
  public static final String CORRUPT = "remote-corrupt";
  public static final String SKIPPED = "remote-skipped";
  public static final String UPLOADS = "remote-uploads";
  public static final String BYTES_DOWN = "remote-bytes-down";
  public static final String BYTES_UP = "remote-bytes-up";
  public static final String UPLOAD_ERRORS = "remote-upload-errors";
  public static final String UPLOAD_DROPPED = "remote-upload-dropped";
  public static final String UPLOAD_TIMEOUTS = "remote-upload-timeouts";
  public static final String UPLOAD_REJECTED = "remote-upload-rejected";
  /** Prefetch counters (see {@link Prefetch}). */
  public static final String PREFETCHED = "prefetched";

  public static final String PREFETCH_LISTED = "prefetch-listed";
  public static final String PREFETCH_USED = "prefetch-used";
  public static final String PREFETCH_WAITED = "prefetch-waited";
  public static final String PREFETCH_WASTED_BYTES = "prefetch-wasted-bytes";
  public static final String PREFETCH_BYTES = "prefetch-bytes";
  public static final String PREFETCH_ERRORS = "prefetch-errors";
  /** Listed ids a warm directory lacked, held back; of those, fetched after all (released). */
  public static final String PREFETCH_HELD = "prefetch-held";

  public static final String PREFETCH_RELEASED = "prefetch-released";

  private final Stats stats;
  private final PrintStream err;
  private final Set<String> said = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicBoolean spoke =
      new java.util.concurrent.atomic.AtomicBoolean();

  public RemoteLog(Stats stats, PrintStream err) {
    this.stats = stats;
    this.err = err;
    for (String n : new String[] {HITS, MISSES, ERRORS, UPLOADS, BYTES_DOWN, BYTES_UP}) {
      stats.counter(n);
    }
  }

  public void count(String counter, long delta) {
    stats.add(counter, delta);
  }

  /**
   * Prints {@code message} (prefixed "progcache: ") when it is the session's first message; later
   * ones, of any kind, are left to the counters.
   */
  public void once(String kind, String message) {
    if (said.add(kind) && spoke.compareAndSet(false, true)) {
      err.println("progcache: " + message);
    }
  }

  public Stats stats() {
    return stats;
  }
}
