package dev.progcache.server.store;

import dev.progcache.cache.Key;
import dev.progcache.disk.AtomicFiles;
import dev.progcache.wire.Manifest;
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
 * Stored at {@code <dir>/<namespace>/<context hex>} as lines {@code <action hex> <epoch day> a} for
 * ids go asked for, {@code <action hex> <epoch day> s} for ids only stored, and {@code settled
 * <epoch day>} once settled; written temp + rename. (Lines without the letter, written before the
 * distinction, count as only stored: such a manifest is prefetched whole until a report says what
 * go asks for.)
 *
 * <p>{@link #merge} is a union under a lock (concurrent runners lose no ids; an id once asked for
 * stays so); ids not reported for {@link #MAX_AGE_DAYS} days are dropped, and beyond {@link
 * #MAX_IDS} ids the least recently reported go first. A namespace holds at most {@link
 * #MAX_CONTEXTS} manifests, whose bytes count against its size. Manifests are kept on this server's
 * disk, also with {@code serve --s3}. A damaged file is read as far as it makes sense. Thread-safe
 * within one process.
 */
public final class Manifests {
  public static final int MAX_IDS = 20_000;
  public static final int MAX_AGE_DAYS = 30;

  /** Build contexts (manifest files) one namespace may hold. */
  public static final int MAX_CONTEXTS = 256;

  /**
   * Where one namespace's manifests take their room: the namespace's size, which their bytes count
   * against. Thread-safe.
   */
  interface Room {
    /** No limit, counted nowhere. */
    Room UNLIMITED =
        new Room() {
          @Override
          public boolean take(long bytes) {
            return true;
          }

          @Override
          public void add(long delta) {}
        };

    /** Takes {@code bytes} more when they fit; false (nothing taken) when they do not. */
    boolean take(long bytes);

    /** Counts {@code delta} bytes (negative: gives them back), whether or not they fit. */
    void add(long delta);
  }

  /** A write refused because the namespace holds its maximum of manifests (507). */
  public static final class Full extends IOException {
    Full(String message) {
      super(message);
    }
  }

  /** A namespace's manifest files and bytes, counted on first use; guarded by {@code lock}. */
  private static final class Usage {
    final ReentrantLock lock = new ReentrantLock();
    int files = -1;
    long bytes;
  }

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
  private final Map<String, Usage> usage = new java.util.concurrent.ConcurrentHashMap<>();

  public Manifests(Path dir, LongSupplier nowMillis) {
    this.dir = dir;
    this.nowMillis = nowMillis;
  }

  /**
   * The manifest: ids go asked for first, each part in the order ids were first reported; empty
   * when there is none.
   */
  public Optional<Manifest> read(String namespace, Key context) throws IOException {
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
  public void merge(String namespace, Key context, Manifest report) throws IOException {
    merge(namespace, context, report, Room.UNLIMITED);
  }

  /**
   * As {@link #merge(String, Key, Manifest)}, counting the manifest's bytes against {@code room}.
   *
   * @throws Full when this would be a context beyond {@link #MAX_CONTEXTS} in the namespace (after
   *     removing those not reported for {@link #MAX_AGE_DAYS} days), or its bytes do not fit
   */
  public void merge(String namespace, Key context, Manifest report, Room room) throws IOException {
    Path f = file(namespace, context);
    Usage u = usage.computeIfAbsent(namespace, n -> new Usage());
    u.lock.lock();
    try {
      count(u, namespace, room);
      long before = sizeOf(f);
      if (before < 0 && u.files >= MAX_CONTEXTS) {
        dropStale(u, namespace, room);
        if (u.files >= MAX_CONTEXTS) {
          throw new Full(
              "namespace "
                  + namespace
                  + " already holds its maximum of "
                  + MAX_CONTEXTS
                  + " manifests (build contexts); those not reported for "
                  + MAX_AGE_DAYS
                  + " days make room");
        }
      }
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
      byte[] text = b.toString().getBytes(StandardCharsets.US_ASCII);
      long delta = text.length - Math.max(0, before);
      if (delta > 0 && !room.take(delta)) {
        throw new Full(
            "the manifests of namespace "
                + namespace
                + " would not fit in its size limit"
                + " (serve --max-ns-size, --max-size for main)");
      }
      try {
        Files.createDirectories(f.getParent());
        AtomicFiles.write(f, text);
      } catch (IOException e) {
        room.add(-Math.max(0, delta));
        throw e;
      }
      if (delta < 0) {
        room.add(delta);
      }
      u.bytes += delta;
      u.files += before < 0 ? 1 : 0;
    } finally {
      u.lock.unlock();
    }
  }

  /** Counts the namespace's manifests once, charging their bytes to {@code room}. */
  private void count(Usage u, String namespace, Room room) throws IOException {
    if (u.files >= 0) {
      return;
    }
    int files = 0;
    long bytes = 0;
    Path d = dir.resolve(namespace);
    if (Files.isDirectory(d, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try (java.util.stream.Stream<Path> l = Files.list(d)) {
        for (Path p : l.toList()) {
          long n = sizeOf(p);
          if (n >= 0) {
            files++;
            bytes += n;
          }
        }
      }
    }
    room.add(bytes);
    u.files = files;
    u.bytes = bytes;
  }

  /** Removes the namespace's manifests not written for {@link #MAX_AGE_DAYS} days. */
  private void dropStale(Usage u, String namespace, Room room) throws IOException {
    long before = nowMillis.getAsLong() - TimeUnit.DAYS.toMillis(MAX_AGE_DAYS);
    try (java.util.stream.Stream<Path> l = Files.list(dir.resolve(namespace))) {
      for (Path p : l.toList()) {
        long n = sizeOf(p);
        if (n >= 0 && Files.getLastModifiedTime(p).toMillis() < before && Files.deleteIfExists(p)) {
          u.files--;
          u.bytes -= n;
          room.add(-n);
        }
      }
    }
  }

  /** The size of regular file {@code p}, or -1 when there is none. */
  private static long sizeOf(Path p) throws IOException {
    var a =
        p.getFileSystem()
            .provider()
            .readAttributesIfExists(
                p,
                java.nio.file.attribute.BasicFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
    return a != null && a.isRegularFile() ? a.size() : -1;
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
