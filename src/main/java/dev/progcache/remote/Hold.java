package dev.progcache.remote;

import dev.progcache.cache.Key;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The listed ids a warm directory lacks, held back from the prefetch until go's local misses show
 * that the manifest predicts this build: {@link #MATCHES_TO_RELEASE} misses among them, and at
 * least half of all misses since the hold began (ADR 0024). Released once at most.
 *
 * <p>Thread-safe. Misses before {@link #hold} count for nothing.
 */
final class Hold {
  /** go's local misses among the held ids that release the rest of them. */
  static final int MATCHES_TO_RELEASE = 4;

  private volatile @Nullable Set<Key> held;
  private volatile List<Key> order = List.of();
  private final AtomicInteger misses = new AtomicInteger();
  private final AtomicInteger matches = new AtomicInteger();
  private final AtomicBoolean released = new AtomicBoolean();

  /** Holds {@code ids} (in the order to fetch them, should they be released). */
  void hold(List<Key> ids) {
    order = List.copyOf(ids);
    held = Set.copyOf(ids);
  }

  /**
   * Counts a local miss of {@code action}: the held ids, in order, when this miss releases them
   * (the caller fetches those go has not asked for yet); empty otherwise.
   */
  Optional<List<Key>> miss(Key action) {
    Set<Key> h = held;
    if (h == null || released.get()) {
      return Optional.empty();
    }
    int seen = misses.incrementAndGet();
    if (!h.contains(action)) {
      return Optional.empty();
    }
    int m = matches.incrementAndGet();
    if (m < MATCHES_TO_RELEASE || m * 2 < seen || !released.compareAndSet(false, true)) {
      return Optional.empty();
    }
    return Optional.of(order);
  }
}
