package dev.progcache.server;

import dev.progcache.cache.Key;
import dev.progcache.disk.DiskStore;
import dev.progcache.remote.Manifest;
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
 * used, each with the day it was last reported and whether go asked for it ({@link Manifest}).
 * Stored at {@code <dir>/<namespace>/<context hex>} as lines {@code <action hex> <epoch day> a}
 * for ids go asked for, {@code <action hex> <epoch day> s} for ids only stored, and {@code settled
 * <epoch day>} once settled; written temp + rename. (Lines without the letter, written before the
 * distinction, count as only stored: such a manifest is prefetched whole until a report says what
 * go asks for.)
 *
 * <p>{@link #merge} is a union under a lock (concurrent runners lose no ids; an id once asked
 * for stays so); ids not reported for {@link #MAX_AGE_DAYS} days are dropped, and beyond {@link
 * #MAX_IDS} ids the least recently reported go first. Manifests are kept on this server's disk,
 * also with {@code serve --s3}. A damaged file is read as far as it makes sense. Thread-safe
 * within one process.
 */
final class Manifests {
  static final int MAX_IDS = 20_000;
  static final int MAX_AGE_DAYS = 30;
  private static final int LINE = Key.LENGTH * 2 + 1 + 12 + 2;
  private static final String SETTLED = "settled";

  /** One id's line: the day it was last reported, whether go asked for it. */
  private record Line(long day, boolean asked) {
    Line merge(Line o) {
      return new Line(Math.max(day, o.day), asked || o.asked);
    }
  }

  /** A loaded manifest: ids in first-report order; the day it was last settled, or -1. */
  private record Loaded(Map<Key, Line> ids, long settledDay) {}

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

  /**
   * The manifest: ids go asked for first, each part in the order ids were first reported; empty
   * when there is none.
   */
  Optional<Manifest> read(String namespace, Key context) throws IOException {
    return load(file(namespace, context)).map(Manifests::manifest);
  }

  private static Manifest manifest(Loaded m) {
    List<Key> ids = new ArrayList<>(m.ids().size());
    List<Key> stored = new ArrayList<>();
    m.ids().forEach((k, line) -> (line.asked() ? ids : stored).add(k));
    int asked = ids.size();
    ids.addAll(stored);
    return new Manifest(ids, asked, m.settledDay() >= 0);
  }

  /** Adds {@code report} (stamped today) to the manifest, keeping everything already there. */
  void merge(String namespace, Key context, Manifest report) throws IOException {
    Path f = file(namespace, context);
    ReentrantLock lock = locks[Math.floorMod(f.hashCode(), locks.length)];
    lock.lock();
    try {
      long today = TimeUnit.MILLISECONDS.toDays(nowMillis.getAsLong());
      Loaded old = load(f).orElseGet(() -> new Loaded(new LinkedHashMap<>(), -1));
      Map<Key, Line> m = old.ids();
      List<Key> ids = report.ids();
      for (int i = 0; i < ids.size(); i++) {
        m.merge(ids.get(i), new Line(today, i < report.asked()), Line::merge);
      }
      m.values().removeIf(line -> line.day() < today - MAX_AGE_DAYS);
      if (m.size() > MAX_IDS) {
        List<Map.Entry<Key, Line>> byAge = new ArrayList<>(m.entrySet());
        byAge.sort(Comparator.comparingLong(e -> e.getValue().day())); // stable: oldest first
        for (Map.Entry<Key, Line> e : byAge.subList(0, m.size() - MAX_IDS)) {
          m.remove(e.getKey());
        }
      }
      long settled = report.settled() ? today : old.settledDay();
      StringBuilder b = new StringBuilder(m.size() * LINE + 32);
      if (settled >= today - MAX_AGE_DAYS) {
        b.append(SETTLED).append(' ').append(settled).append('\n');
      }
      m.forEach(
          (k, line) ->
              b.append(k.hex())
                  .append(' ')
                  .append(line.day())
                  .append(line.asked() ? " a\n" : " s\n"));
      Files.createDirectories(f.getParent());
      DiskStore.writeAtomically(f, b.toString().getBytes(StandardCharsets.US_ASCII));
    } finally {
      lock.unlock();
    }
  }

  private Path file(String namespace, Key context) {
    return dir.resolve(namespace).resolve(context.hex());
  }

  private static Optional<Loaded> load(Path f) throws IOException {
    byte[] all;
    try {
      if (Files.size(f) > (long) (MAX_IDS + 1) * LINE * 2) {
        return Optional.empty(); // not ours: start afresh
      }
      all = Files.readAllBytes(f);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    Map<Key, Line> m = new LinkedHashMap<>();
    long settled = -1;
    for (String line : new String(all, StandardCharsets.US_ASCII).split("\n")) {
      String[] p = line.split(" ", -1);
      try {
        if (p.length == 2 && p[0].equals(SETTLED)) {
          settled = Math.max(settled, Long.parseLong(p[1]));
        } else if ((p.length == 2 || (p.length == 3 && (p[2].equals("a") || p[2].equals("s"))))
            && m.size() < MAX_IDS) {
          boolean asked = p.length == 3 && p[2].equals("a");
          m.merge(Key.ofHex(p[0]), new Line(Long.parseLong(p[1]), asked), Line::merge);
        }
      } catch (IllegalArgumentException e) {
        // a damaged line: skipped
      }
    }
    return Optional.of(new Loaded(m, settled));
  }
}
