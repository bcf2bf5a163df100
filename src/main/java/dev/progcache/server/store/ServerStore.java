package dev.progcache.server.store;

import dev.progcache.cache.Buffers;
import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.disk.DiskStore;
import dev.progcache.server.status.Status;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The server's storage: a {@link DiskStore} (same layout and atomic writes as the helper's local
 * tier, so entries survive restarts and a crash never leaves a visible partial entry) plus an
 * in-memory index of bodies for size-limited LRU eviction.
 *
 * <p>With a {@link NextTier} the disk is a hot tier. Behind a {@link Backing} bucket, local misses
 * fall through to the bucket and a put succeeds only once the bucket holds it, so replicas sharing
 * the bucket see each other's writes and an evicted body is fetched again. Behind an {@link
 * Upstream} server (an edge cache), misses are read through and puts are forwarded in the
 * background.
 *
 * <p>Thread-safe. Eviction deletes the least recently used bodies until the total is below 90 % of
 * the limit; records that named them become misses (and are removed when next read).
 */
public final class ServerStore {
  private static final class Meta {
    final long size;
    volatile long lastUse;

    Meta(long size, long lastUse) {
      this.size = size;
      this.lastUse = lastUse;
    }
  }

  private final DiskStore disk;
  private final long maxBytes;
  private final @Nullable NextTier next;
  private final Map<Key, Meta> index = new ConcurrentHashMap<>();
  private final AtomicLong total = new AtomicLong();
  private final AtomicLong manifestBytes = new AtomicLong();
  private final AtomicLong evictions = new AtomicLong();
  private final ReentrantLock evicting = new ReentrantLock();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final TopSizes largest = new TopSizes(Status.TOP);

  private ServerStore(DiskStore disk, long maxBytes, @Nullable NextTier next) {
    this.disk = disk;
    this.maxBytes = maxBytes;
    this.next = next;
  }

  /** Opens the store at {@code dir}, indexing the bodies already there. */
  public static ServerStore open(Path dir, long maxBytes) throws IOException {
    return open(dir, maxBytes, null);
  }

  /** The bucket behind this store's disk, if that is what stands behind it. */
  public Optional<Backing> backing() {
    return next instanceof Backing b ? Optional.of(b) : Optional.empty();
  }

  /** Whether a bucket or another server stands behind this store's disk. */
  boolean hasNextTier() {
    return next != null;
  }

  /**
   * Opens the store at {@code dir} in front of {@code next}, when given: {@link #fetch} asks it,
   * and every put is passed on to it.
   */
  public static ServerStore open(Path dir, long maxBytes, @Nullable NextTier next)
      throws IOException {
    DiskStore d = DiskStore.open(dir, ServerStore::nowNanos, new Stats());
    ServerStore s = new ServerStore(d, maxBytes, next);
    s.scan();
    s.evictIfNeeded();
    return s;
  }

  private void scan() throws IOException {
    Path outputs = disk.root().resolve("o");
    long staleBefore = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1);
    try (Stream<Path> files = Files.walk(outputs, 2)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        BasicFileAttributes a;
        try {
          a = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (IOException e) {
          continue;
        }
        if (!a.isRegularFile()) {
          continue;
        }
        if (name.startsWith(".tmp-")) {
          if (a.lastModifiedTime().toMillis() < staleBefore) {
            Files.deleteIfExists(p); // left by a crash
          }
          continue;
        }
        try {
          track(Key.ofHex(name), a.size(), a.lastModifiedTime().toMillis());
        } catch (IllegalArgumentException e) {
          // not ours
        }
      }
    }
  }

  /**
   * The entry for {@code action} on this disk, verified against its body's size; empty for a miss.
   */
  public Optional<Hit> action(Key action) {
    Optional<Hit> h = disk.lookup(action);
    h.ifPresent(hit -> touch(hit.entry().outputId()));
    return h;
  }

  /**
   * The entry for {@code action} from the next tier (verified against its sha256 and size, and
   * stored on this disk); empty for a miss, for a body that fails verification, for any trouble,
   * and when there is no next tier.
   */
  public Optional<Hit> fetch(Key action) {
    if (next == null) {
      return Optional.empty();
    }
    return next.get(action, (out, size, body) -> fill(action, out, size, body));
  }

  /** Stores what the next tier sent, then answers from the disk. */
  private Hit fill(Key action, Key output, long size, InputStream body) throws IOException {
    Hit h = disk.store(action, output, size, Buffers.source(body));
    track(output, size, System.currentTimeMillis());
    evictIfNeeded();
    return h;
  }

  /** The body file of {@code output} and its size; empty when it is not stored. */
  public Optional<Hit> output(Key output) {
    Path p = disk.bodyPath(output);
    try {
      BasicFileAttributes a =
          Files.readAttributes(
              p, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
      if (!a.isRegularFile()) {
        return Optional.empty(); // a link is never followed
      }
      long size = a.size();
      touch(output);
      return Optional.of(new Hit(new dev.progcache.cache.Entry(output, size, 0), p));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Stores {@code size} bytes from {@code body} for {@code action}, verified against {@code
   * output}; the entry becomes visible only when complete and correct.
   *
   * @throws dev.progcache.cache.BadPutException when size or sha256 disagree (nothing stored)
   * @throws Backing.Unavailable when a backing bucket did not take it (it is kept locally)
   * @throws IOException when the disk write fails
   */
  public void put(Key action, Key output, long size, InputStream body) throws IOException {
    Path p = disk.put(action, output, size, Buffers.source(body));
    track(output, size, System.currentTimeMillis());
    if (Status.BOOKKEEPING) {
      largest.offer(action, output, size);
    }
    try {
      if (next != null) {
        next.put(action, output, size, p);
      }
    } finally {
      evictIfNeeded();
    }
  }

  /**
   * The room this namespace's manifests take: their bytes count in {@link #bytes} (so bodies are
   * evicted for them), and together they may use at most half of the size limit.
   */
  public Manifests.Room manifestRoom() {
    return new Manifests.Room() {
      @Override
      public boolean take(long bytes) {
        if (manifestBytes.addAndGet(bytes) > maxBytes / 2) {
          manifestBytes.addAndGet(-bytes);
          return false;
        }
        total.addAndGet(bytes);
        evictIfNeeded();
        return true;
      }

      @Override
      public void add(long delta) {
        manifestBytes.addAndGet(delta);
        total.addAndGet(delta);
      }
    };
  }

  /** Releases what the next tier holds for this store. */
  void close() {
    if (next != null) {
      next.close();
    }
  }

  private void track(Key output, long size, long lastUse) {
    Meta m = index.putIfAbsent(output, new Meta(size, lastUse));
    if (m == null) {
      total.addAndGet(size);
    } else {
      m.lastUse = Math.max(m.lastUse, lastUse);
    }
  }

  private void touch(Key output) {
    Meta m = index.get(output);
    if (m != null) {
      m.lastUse = System.currentTimeMillis();
    }
  }

  private void evictIfNeeded() {
    if (total.get() <= maxBytes || !evicting.tryLock()) {
      return;
    }
    try {
      long target = maxBytes / 10 * 9;
      List<Map.Entry<Key, Meta>> all = new ArrayList<>(index.entrySet());
      all.sort(Comparator.comparingLong(e -> e.getValue().lastUse));
      for (Map.Entry<Key, Meta> e : all) {
        if (total.get() <= target) {
          break;
        }
        try {
          Files.deleteIfExists(disk.bodyPath(e.getKey()));
        } catch (IOException x) {
          continue;
        }
        if (index.remove(e.getKey(), e.getValue())) {
          total.addAndGet(-e.getValue().size);
          evictions.incrementAndGet();
        }
      }
    } finally {
      evicting.unlock();
    }
  }

  public long bytes() {
    return total.get();
  }

  public long objects() {
    return index.size();
  }

  public long evictions() {
    return evictions.get();
  }

  /** The size limit above which bodies are evicted. */
  public long limit() {
    return maxBytes;
  }

  /** Whether the body of {@code output} is stored here. */
  boolean holds(Key output) {
    return index.containsKey(output);
  }

  /**
   * Counts an action lookup this namespace answered, or one that missed (see {@link
   * Namespaces#counted}).
   */
  public void counted(boolean hit) {
    if (Status.BOOKKEEPING) {
      (hit ? hits : misses).increment();
    }
  }

  /** The largest entries stored here since start whose bodies are still here, largest first. */
  public List<TopSizes.Item> largest() {
    return largest.largest().stream().filter(i -> holds(i.output())).toList();
  }

  /** Action lookups asked in this namespace that hit. */
  public long hits() {
    return hits.sum();
  }

  /** Action lookups asked in this namespace that missed everywhere they searched. */
  public long misses() {
    return misses.sum();
  }

  private static long nowNanos() {
    java.time.Instant t = java.time.Instant.now();
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}
