package dev.progcache.server.store;

import dev.progcache.cache.Key;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The largest entries stored in one namespace since the server started, at most {@code limit} of
 * them, one per action. A store no bigger than the smallest kept one costs a volatile read.
 *
 * <p>Thread-safe.
 */
public final class TopSizes {
  /** One stored entry. */
  public record Item(Key action, Key output, long size) {}

  private final int limit;
  private final ReentrantLock lock = new ReentrantLock();
  private final List<Item> items = new ArrayList<>();
  private volatile long floor = -1;

  TopSizes(int limit) {
    this.limit = limit;
  }

  /** Notes that {@code size} bytes were stored for {@code action}. */
  void offer(Key action, Key output, long size) {
    if (size <= floor) {
      return;
    }
    lock.lock();
    try {
      items.removeIf(i -> i.action().equals(action));
      items.add(new Item(action, output, size));
      items.sort(Comparator.comparingLong(Item::size).reversed());
      while (items.size() > limit) {
        items.removeLast();
      }
      floor = items.size() < limit ? -1 : items.getLast().size();
    } finally {
      lock.unlock();
    }
  }

  /** The kept entries, largest first. */
  List<Item> largest() {
    lock.lock();
    try {
      return List.copyOf(items);
    } finally {
      lock.unlock();
    }
  }
}
