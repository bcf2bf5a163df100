package dev.progcache.disk;

import dev.progcache.cache.Entry;
import dev.progcache.cache.Key;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Action records kept many to a file (ADR 0028): {@code p/<16 hex>.pack}, each the concatenation of
 * {@link Record} lines, written once (temp file, then rename) and never changed. A fresh directory
 * filled by a prefetch gets its records this way: one file per batch of hundreds of records instead
 * of a file (and often a shard directory) each, because creating files is what a fresh runner's
 * disk is slowest at. Any process finds them: the packs are read into memory at the first lookup,
 * and again on a record miss when the directory changed since.
 *
 * <p>A packed record is used exactly as a record file is: a hit checks its body on disk. A torn or
 * corrupt line is skipped; a pack that vanished (a trim merged it) is read no more. Bounded: at
 * most {@link #MAX_ENTRIES} records are held, and a trim turns the oldest beyond {@link #MAX_KEPT}
 * into record files. Thread-safe.
 */
final class Packs {
  static final String DIR = "p";
  static final String SUFFIX = ".pack";

  /** Records a trim keeps packed; older ones become record files (a new process reads them all). */
  static final int MAX_KEPT = 1 << 15;

  /** Records held in memory at most, whatever the packs hold. */
  static final int MAX_ENTRIES = 1 << 17;

  /** A pack bigger than this (far more than {@link #MAX_KEPT} records) is not read. */
  private static final long MAX_PACK_BYTES = (long) MAX_ENTRIES * Record.LENGTH;

  /** The directory's modification time when last read, in nanoseconds; absent or never read. */
  private static final long ABSENT = -1;

  private static final long NEVER = Long.MIN_VALUE;

  private final Path dir;
  private final ConcurrentHashMap<Key, Entry> index = new ConcurrentHashMap<>();
  private final List<byte[]> pending = new ArrayList<>(); // guarded by this
  private volatile long readStamp = NEVER;

  Packs(Path root) {
    this.dir = root.resolve(DIR);
  }

  /** The packed record of {@code action}, reading the packs first if they never were. */
  @Nullable Entry get(Key action) {
    if (readStamp == NEVER) {
      refresh();
    }
    return index.get(action);
  }

  /**
   * After a miss everywhere else: reads the packs again if the directory changed since they were
   * last read (one {@code stat} when it did not), then looks {@code action} up.
   */
  @Nullable Entry recheck(Key action) {
    if (stamp() != readStamp) {
      refresh();
    }
    return index.get(action);
  }

  /** Forgets a packed record whose body is gone (the pack itself is left to the trim). */
  void forget(Key action) {
    index.remove(action);
  }

  /** Whether any pack file exists (or is about to be written by this process). */
  boolean any() {
    synchronized (this) {
      if (!pending.isEmpty()) {
        return true;
      }
    }
    try (DirectoryStream<Path> d = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      return d.iterator().hasNext();
    } catch (IOException e) {
      return false;
    }
  }

  /** Adds a record, found at once by this process and by others after the next {@link #flush}. */
  void add(Key action, Entry e) {
    byte[] line = Record.encode(action, e);
    synchronized (this) {
      pending.add(line);
    }
    if (index.size() < MAX_ENTRIES) {
      index.put(action, e);
    }
  }

  /**
   * Writes the records added since the last flush as one new pack.
   *
   * @return how many records were written
   * @throws IOException when the pack cannot be written; the message names it. The records stay
   *     known to this process (their bodies are on disk), and are left to a later flush.
   */
  synchronized int flush() throws IOException {
    if (pending.isEmpty()) {
      return 0;
    }
    byte[] all = new byte[pending.size() * Record.LENGTH];
    for (int i = 0; i < pending.size(); i++) {
      System.arraycopy(pending.get(i), 0, all, i * Record.LENGTH, Record.LENGTH);
    }
    write(all);
    int n = pending.size();
    pending.clear();
    return n;
  }

  /** Writes {@code lines} (whole records) as a new pack file. */
  void write(byte[] lines) throws IOException {
    Path target =
        dir.resolve(
            Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE) + SUFFIX);
    try {
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        if (NoLinks.isLink(dir)) {
          Files.delete(dir); // never write through a link to elsewhere
        }
        Files.createDirectories(dir);
      }
      AtomicFiles.replace(
          target,
          ch -> {
            ByteBuffer b = ByteBuffer.wrap(lines);
            while (b.hasRemaining()) {
              ch.write(b);
            }
          });
    } catch (IOException e) {
      throw new IOException("cannot write cache records " + target + ": " + IoText.reason(e), e);
    }
  }

  private synchronized void refresh() {
    long before = stamp();
    List<Inventory.PackedRecord> read = new ArrayList<>();
    boolean vanished = readAll(dir, read);
    for (Inventory.PackedRecord p : read) {
      if (index.size() >= MAX_ENTRIES) {
        break;
      }
      index.putIfAbsent(p.action(), p.entry());
    }
    // a pack that vanished while listed was merged into a new one: read again next time
    readStamp = vanished ? NEVER + 1 : before;
  }

  /** The directory's modification time in nanoseconds, {@link #ABSENT} when there is none. */
  private long stamp() {
    try {
      // a directory without packs (go's own puts write none) is asked once per local miss
      BasicFileAttributes a = NoLinks.attributesIfThere(dir).orElse(null);
      return a == null || !a.isDirectory()
          ? ABSENT
          : a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
    } catch (IOException e) {
      return ABSENT;
    }
  }

  /**
   * Reads every record of the packs of {@code root} (for inventories and trims).
   *
   * @throws IOException when the directory exists but cannot be listed
   */
  static List<Inventory.PackedRecord> readAll(Path root) throws IOException {
    List<Inventory.PackedRecord> out = new ArrayList<>();
    Path d = root.resolve(DIR);
    if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
      Files.newDirectoryStream(d).close(); // unreadable: throws here, not silently below
      readAll(d, out);
    }
    return out;
  }

  /** Appends the records of the packs in {@code d} to {@code out}; true when a pack vanished. */
  private static boolean readAll(Path d, List<Inventory.PackedRecord> out) {
    boolean vanished = false;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(d, "*" + SUFFIX)) {
      for (Path p : ds) {
        try {
          parse(p, DiskStore.readNoFollow(p, MAX_PACK_BYTES, "a pack"), out);
        } catch (NoSuchFileException e) {
          vanished = true;
        } catch (IOException e) {
          // unreadable: its records are misses
        }
      }
    } catch (IOException e) {
      // no packs, or an unreadable directory: no packed records
    }
    return vanished;
  }

  /**
   * For a trim, under its lock: rewrites the packs of {@code packed} as one, without the records
   * whose body is gone ({@code deleted} by this trim, or absent and not stored within the grace
   * period), and turns the oldest beyond {@link #MAX_KEPT} into record files. Packs written since
   * the inventory are left alone. Nothing happens when there is one pack and nothing to drop.
   *
   * @return how many packed records were dropped
   */
  static int merge(DiskStore store, List<Inventory.PackedRecord> packed, Set<Key> deleted, long now)
      throws IOException {
    return merge(store, packed, deleted, now, MAX_KEPT);
  }

  /** As {@link #merge(DiskStore, List, Set, long)}, keeping at most {@code maxKept} packed. */
  static int merge(
      DiskStore store, List<Inventory.PackedRecord> packed, Set<Key> deleted, long now, int maxKept)
      throws IOException {
    Set<Path> files = new LinkedHashSet<>();
    Map<Key, Entry> keep = new LinkedHashMap<>();
    int dropped = 0;
    for (Inventory.PackedRecord r : packed) {
      files.add(r.pack());
      Key out = r.entry().outputId();
      boolean recent = r.entry().timeNanos() > now - TrimPlan.GRACE_NANOS;
      if (deleted.contains(out) || (!recent && !hasBody(store, r.entry()))) {
        dropped++;
      } else if (keep.putIfAbsent(r.action(), r.entry()) != null) {
        dropped++; // the same action packed twice
      }
    }
    if (files.size() <= 1 && dropped == 0 && keep.size() <= maxKept) {
      return 0;
    }
    List<Map.Entry<Key, Entry>> all = new ArrayList<>(keep.entrySet());
    all.sort(Comparator.comparingLong(e -> e.getValue().timeNanos()));
    int unpack = Math.max(0, all.size() - maxKept);
    for (Map.Entry<Key, Entry> e : all.subList(0, unpack)) {
      store.writeRecord(e.getKey(), e.getValue());
    }
    List<Map.Entry<Key, Entry>> rest = all.subList(unpack, all.size());
    if (!rest.isEmpty()) {
      byte[] lines = new byte[rest.size() * Record.LENGTH];
      for (int i = 0; i < rest.size(); i++) {
        byte[] line = Record.encode(rest.get(i).getKey(), rest.get(i).getValue());
        System.arraycopy(line, 0, lines, i * Record.LENGTH, Record.LENGTH);
      }
      new Packs(store.root()).write(lines);
    }
    for (Path f : files) {
      NoLinks.deleteInside(store.root(), f);
    }
    return dropped;
  }

  private static boolean hasBody(DiskStore store, Entry e) {
    return Inventory.info(store.bodyPath(e.outputId()))
        .map(f -> f.size() == e.size())
        .orElse(false);
  }

  /** The whole, well-formed records of {@code data}; anything else is skipped. */
  static void parse(Path pack, byte[] data, List<Inventory.PackedRecord> out) {
    for (int at = 0; at + Record.LENGTH <= data.length; at += Record.LENGTH) {
      byte[] line = Arrays.copyOfRange(data, at, at + Record.LENGTH);
      Key action = Key.ofHexOrNull(line, 3);
      if (action != null) {
        Record.decode(action, line)
            .ifPresent(e -> out.add(new Inventory.PackedRecord(action, e, pack)));
      }
    }
  }
}
