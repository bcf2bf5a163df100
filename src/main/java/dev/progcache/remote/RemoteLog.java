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
  // Short names of the counters of RemoteCounter, so callers write RemoteLog.HITS.
  public static final RemoteCounter HITS = RemoteCounter.HITS;
  public static final RemoteCounter MISSES = RemoteCounter.MISSES;
  public static final RemoteCounter ERRORS = RemoteCounter.ERRORS;
  public static final RemoteCounter CORRUPT = RemoteCounter.CORRUPT;
  public static final RemoteCounter SKIPPED = RemoteCounter.SKIPPED;
  public static final RemoteCounter UPLOADS = RemoteCounter.UPLOADS;
  public static final RemoteCounter BYTES_DOWN = RemoteCounter.BYTES_DOWN;
  public static final RemoteCounter BYTES_UP = RemoteCounter.BYTES_UP;
  public static final RemoteCounter UPLOAD_ERRORS = RemoteCounter.UPLOAD_ERRORS;
  public static final RemoteCounter UPLOAD_DROPPED = RemoteCounter.UPLOAD_DROPPED;
  public static final RemoteCounter UPLOAD_TIMEOUTS = RemoteCounter.UPLOAD_TIMEOUTS;
  public static final RemoteCounter UPLOAD_REJECTED = RemoteCounter.UPLOAD_REJECTED;
  public static final RemoteCounter UPLOAD_HELD = RemoteCounter.UPLOAD_HELD;
  public static final RemoteCounter PREFETCHED = RemoteCounter.PREFETCHED;
  public static final RemoteCounter PREFETCH_LISTED = RemoteCounter.PREFETCH_LISTED;
  public static final RemoteCounter PREFETCH_USED = RemoteCounter.PREFETCH_USED;
  public static final RemoteCounter PREFETCH_WAITED = RemoteCounter.PREFETCH_WAITED;
  public static final RemoteCounter PREFETCH_WASTED_BYTES = RemoteCounter.PREFETCH_WASTED_BYTES;
  public static final RemoteCounter PREFETCH_BYTES = RemoteCounter.PREFETCH_BYTES;
  public static final RemoteCounter PREFETCH_ERRORS = RemoteCounter.PREFETCH_ERRORS;
  public static final RemoteCounter PREFETCH_HELD = RemoteCounter.PREFETCH_HELD;
  public static final RemoteCounter PREFETCH_RELEASED = RemoteCounter.PREFETCH_RELEASED;

  private final Stats stats;
  private final PrintStream err;
  private final Set<String> said = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicBoolean spoke =
      new java.util.concurrent.atomic.AtomicBoolean();

  public RemoteLog(Stats stats, PrintStream err) {
    this.stats = stats;
    this.err = err;
    for (RemoteCounter c : RemoteCounter.ALWAYS) {
      stats.counter(c.key());
    }
  }

  public void count(RemoteCounter counter, long delta) {
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
