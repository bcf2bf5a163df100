package dev.progcache.server;

import dev.progcache.cache.Key;
import dev.progcache.disk.DiskStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Prefetch manifests kept by the server: per namespace and build context, the action IDs builds
 * used, each with the day it was last reported. Stored at {@code <dir>/<namespace>/<context hex>}
 * as lines {@code <action hex> <epoch day>}, written temp + rename.
 *
 * <p>{@link #merge} is a union under a lock (concurrent runners lose no ids); ids not reported for
 * {@link #MAX_AGE_DAYS} days are dropped, and beyond {@link #MAX_IDS} ids the least recently
 * reported go first. Manifests are kept on this server's disk, also with {@code serve --s3}.
 * A damaged file is read as far as it makes sense. Thread-safe within one process.
 */
final class Manifests {
  static final int MAX_IDS = 20_000;
  static final int MAX_AGE_DAYS = 30;
  private static final int LINE = Key.LENGTH * 2 + 1 + 12;

  private final Path dir;
  private final LongSupplier nowMillis;
  private final ReentrantLock[] locks = new ReentrantLock[64];

  Manifests(Path dir, LongSupplier nowMillis) {
    this.dir = dir;
    this.nowMillis = nowMillis;
    for (int i = 0; i < locks.length; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  /** The ids of the manifest, in the order they were first reported; empty when there is none. */
  Optional<List<Key>> read(String namespace, Key context) throws IOException {
    Optional<Map<Key, Long>> m = load(file(namespace, context));
    return m.map(x -> List.copyOf(x.keySet()));
  }

  /** Adds {@code ids} (stamped today) to the manifest, keeping every id already there. */
  void merge(String namespace, Key context, List<Key> ids) throws IOException {
    Path f = file(namespace, context);
    ReentrantLock lock = locks[Math.floorMod(f.hashCode(), locks.length)];
    lock.lock();
    try {
      long today = TimeUnit.MILLISECONDS.toDays(nowMillis.getAsLong());
      Map<Key, Long> m = load(f).orElseGet(LinkedHashMap::new);
      for (Key k : ids) {
        m.merge(k, today, Math::max);
      }
      m.values().removeIf(day -> day < today - MAX_AGE_DAYS);
      if (m.size() > MAX_IDS) {
        List<Map.Entry<Key, Long>> byAge = new ArrayList<>(m.entrySet());
        byAge.sort(Comparator.comparingLong(Map.Entry::getValue)); // stable: oldest first
        for (Map.Entry<Key, Long> e : byAge.subList(0, m.size() - MAX_IDS)) {
          m.remove(e.getKey());
        }
      }
      StringBuilder b = new StringBuilder(m.size() * LINE);
      m.forEach((k, day) -> b.append(k.hex()).append(' ').append(day).append('\n'));
      Files.createDirectories(f.getParent());
      DiskStore.writeAtomically(f, b.toString().getBytes(StandardCharsets.US_ASCII));
    } finally {
      lock.unlock();
    }
  }

  private Path file(String namespace, Key context) {
    return dir.resolve(namespace).resolve(context.hex());
  }

  private static Optional<Map<Key, Long>> load(Path f) throws IOException {
    byte[] all;
    try {
      if (Files.size(f) > (long) (MAX_IDS + 1) * LINE * 2) {
        return Optional.empty(); // not ours: start afresh
      }
      all = Files.readAllBytes(f);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    Map<Key, Long> m = new LinkedHashMap<>();
    for (String line : new String(all, StandardCharsets.US_ASCII).split("\n")) {
      String[] p = line.split(" ", -1);
      if (p.length != 2 || m.size() >= MAX_IDS) {
        continue;
      }
      try {
        m.merge(Key.ofHex(p[0]), Long.parseLong(p[1]), Math::max);
      } catch (IllegalArgumentException e) {
        // a damaged line: skipped
      }
    }
    return Optional.of(m);
  }
}
