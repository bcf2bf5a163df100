package dev.progcache.testing;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A clock that moves only when told: nanoseconds (or whatever unit the code under test reads), for
 * code that takes a {@link LongSupplier} clock. Thread-safe.
 */
public final class ManualClock implements LongSupplier {
  private final AtomicLong now;

  public ManualClock(long start) {
    this.now = new AtomicLong(start);
  }

  /** The current reading. */
  public long get() {
    return now.get();
  }

  @Override
  public long getAsLong() {
    return now.get();
  }

  /** Sets the reading. */
  public void set(long value) {
    now.set(value);
  }

  /** Moves the clock by {@code delta} and returns the new reading. */
  public long addAndGet(long delta) {
    return now.addAndGet(delta);
  }
}
