package dev.progcache.remote;

import dev.progcache.cache.Key;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Remembers, for a short time, actions the remote did not have, so repeated gets for them cost
 * nothing. Bounded: the oldest entries go first.
 *
 * <p>Thread-safe.
 */
public final class NegativeCache {
  private final long ttlNanos;
  private final LongSupplier nanoTime;
  private final ReentrantLock lock = new ReentrantLock();
  private final LinkedHashMap<Key, Long> expiry;

  public NegativeCache(Duration ttl, int maxEntries, LongSupplier nanoTime) {
    this.ttlNanos = ttl.toNanos();
    this.nanoTime = nanoTime;
    this.expiry =
        new LinkedHashMap<>(64, 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, Long> eldest) {
            return size() > maxEntries;
          }
        };
  }

  /** Whether {@code action} was a remote miss less than the time-to-live ago. */
  public boolean contains(Key action) {
    if (ttlNanos <= 0) {
      return false;
    }
    lock.lock();
    try {
      Long until = expiry.get(action);
      if (until == null) {
        return false;
      }
      if (nanoTime.getAsLong() - until >= 0) {
        expiry.remove(action);
        return false;
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Records a remote miss for {@code action}. */
  public void add(Key action) {
    if (ttlNanos <= 0) {
      return;
    }
    lock.lock();
    try {
      expiry.remove(action);
      expiry.put(action, nanoTime.getAsLong() + ttlNanos);
    } finally {
      lock.unlock();
    }
  }

  /** Forgets {@code action} (it was just uploaded). */
  public void remove(Key action) {
    lock.lock();
    try {
      expiry.remove(action);
    } finally {
      lock.unlock();
    }
  }
}
