package dev.progcache.remote;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A circuit breaker: closed while calls succeed; open (calls refused) for a while after {@code
 * threshold} consecutive failures; then half-open, letting one probe through, which closes it on
 * success or reopens it, for twice as long (at most 8 times the base), on failure.
 *
 * <p>Thread-safe. Never blocks on I/O.
 */
public final class Breaker {
  private final int threshold;
  private final long baseOpenNanos;
  private final LongSupplier nanoTime;
  private final ReentrantLock lock = new ReentrantLock();
  private int failures;
  private long openNanos;
  private long openUntil;
  private boolean open;
  private boolean probing;
  private long opened;

  /**
   * @param threshold consecutive failures that open the breaker (at least 1)
   * @param openFor how long it stays open the first time
   * @param nanoTime a monotonic clock ({@link System#nanoTime} in production)
   */
  public Breaker(int threshold, Duration openFor, LongSupplier nanoTime) {
    if (threshold < 1) {
      throw new IllegalArgumentException("breaker threshold must be >= 1, got " + threshold);
    }
    this.threshold = threshold;
    this.baseOpenNanos = openFor.toNanos();
    this.openNanos = baseOpenNanos;
    this.nanoTime = nanoTime;
  }

  /** What a caller may do now. */
  public enum Pass {
    /** Closed: call. */
    CALL,
    /** Half-open: this caller holds the one probe and must report its outcome. */
    PROBE,
    /** Open, or half-open with the probe out: do not call. */
    NONE
  }

  /** Whether a call may go ahead now; when half-open, true for one caller (the probe) only. */
  public boolean allow() {
    return pass() != Pass.NONE;
  }

  /** As {@link #allow}, saying whether the caller holds the half-open probe. */
  public Pass pass() {
    lock.lock();
    try {
      if (!open) {
        return Pass.CALL;
      }
      if (probing || nanoTime.getAsLong() - openUntil < 0) {
        return Pass.NONE;
      }
      probing = true;
      return Pass.PROBE;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Whether the breaker is closed. Bulk calls whose outcome does not count (prefetch batches,
   * manifests) go ahead only then: they must never take the half-open state's one probe, which only
   * a call that reports {@link #success} or {@link #failure} may hold.
   */
  public boolean closed() {
    lock.lock();
    try {
      return !open;
    } finally {
      lock.unlock();
    }
  }

  /** Records a successful call: closes the breaker. */
  public void success() {
    lock.lock();
    try {
      failures = 0;
      open = false;
      probing = false;
      openNanos = baseOpenNanos;
    } finally {
      lock.unlock();
    }
  }

  /** Records a failed call; opens the breaker at the threshold or when a probe failed. */
  public void failure() {
    lock.lock();
    try {
      failures++;
      if (probing) {
        probing = false;
        openNanos = Math.min(openNanos * 2, baseOpenNanos * 8);
        openUntil = nanoTime.getAsLong() + openNanos;
        opened++;
      } else if (!open && failures >= threshold) {
        open = true;
        openUntil = nanoTime.getAsLong() + openNanos;
        opened++;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Records a failure that says more than one: a call that ran into its deadline. Opens the breaker
   * at once (a failed probe reopens it for longer, as {@link #failure} does).
   */
  public void trip() {
    lock.lock();
    try {
      if (!open) {
        failures = Math.max(failures, threshold - 1);
      }
      failure();
    } finally {
      lock.unlock();
    }
  }

  /** Opens the breaker for {@code d} (the remote asked us to back off), whatever its state. */
  public void pause(Duration d) {
    lock.lock();
    try {
      long until = nanoTime.getAsLong() + d.toNanos();
      if (!open || until - openUntil > 0) {
        openUntil = until;
      }
      if (!open) {
        opened++;
      }
      open = true;
      probing = false;
    } finally {
      lock.unlock();
    }
  }

  /** Whether calls are currently refused (open, or half-open with a probe out). */
  public boolean isOpen() {
    lock.lock();
    try {
      return open && (probing || nanoTime.getAsLong() - openUntil < 0);
    } finally {
      lock.unlock();
    }
  }

  /** How many times the breaker has opened. */
  public long timesOpened() {
    lock.lock();
    try {
      return opened;
    } finally {
      lock.unlock();
    }
  }
}
