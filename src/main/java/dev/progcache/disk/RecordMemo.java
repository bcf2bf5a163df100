package dev.progcache.disk;

import dev.progcache.cache.Entry;
import dev.progcache.cache.Key;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The action records a resident daemon has read or written, kept in memory so that a warm build's
 * gets skip opening and reading a record file each (ADR 0025). Only the record is remembered: a hit
 * still checks that the body is on disk, a regular file of the record's size, exactly as a lookup
 * from disk does, and an entry whose body is gone is forgotten and looked up on disk again.
 *
 * <p>Another process may replace a record on disk after it was remembered (the same action with a
 * different output): the remembered output is still a verified body of that action, so answering it
 * is what go's own cache does when two builds race. Bounded: past {@link #MAX_ENTRIES} it starts
 * over (a warm build fills it again in one pass).
 */
final class RecordMemo {
  /** About 200 bytes each: at most ~13 MB of heap. */
  static final int MAX_ENTRIES = 1 << 16;

  private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();

  @Nullable Entry get(Key action) {
    return entries.get(action);
  }

  void remember(Key action, Entry e) {
    if (entries.size() >= MAX_ENTRIES) {
      entries.clear();
    }
    entries.put(action, e);
  }

  void forget(Key action) {
    entries.remove(action);
  }

  int size() {
    return entries.size();
  }
}
