package dev.progcache.disk;

import dev.progcache.cache.BadPutException;
import dev.progcache.cache.BodySource;
import dev.progcache.cache.BuildCache;
import dev.progcache.cache.Entry;
import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The local disk tier. Layout under the root directory (see {@code package-info}): {@code
 * a/<xx>/<action hex>} action records and {@code o/<xx>/<output hex>} bodies, where {@code xx} is
 * the first two hex digits.
 *
 * <p>Thread-safe, and safe to share between processes: every file is written to a temp file in its
 * final directory and renamed into place; a body lands before the record that names it; files are
 * never rewritten in place. A record that does not parse, or names a body that is missing or of the
 * wrong size, is a miss and is removed.
 */
public final class DiskStore implements BuildCache {
  /** Bodies last used longer ago than this get their mtime refreshed on a hit (for trimming). */
  static final long TOUCH_AFTER_NANOS = TimeUnit.HOURS.toNanos(1);

  /** Records are a few hundred bytes; anything much bigger is not one. */
  private static final long MAX_RECORD = 64 << 10;

  private final Path root;
  private final Path actions;
  private final Path outputs;
  private final LongSupplier nowNanos;
  private final Stats stats;
  private final @Nullable RecordMemo memo;
  private final Packs packs;
  private final Path[] actionShards = new Path[256];
  private final Path[] outputShards = new Path[256];

  /** Shard directories seen as real directories (at most 2 × 256 in a sound cache). */
  private final java.util.Set<Path> realShards = ConcurrentHashMap.newKeySet();

  private static final int MAX_SHARDS_SEEN = 4096;

  /**
   * Record files found missing in a row: past {@link #MISS_RUN} (a cold build, whose every get
   * misses) a lookup {@code stat}s the record before opening it, since the JDK's failed open throws
   * two exceptions inside; a warm build's hits keep the single open. A heuristic: races only choose
   * the other, equally correct, way.
   */
  private volatile int missRun;

  private static final int MISS_RUN = 4;

  private DiskStore(Path root, LongSupplier nowNanos, Stats stats, boolean remember) {
    this.root = root;
    this.actions = root.resolve("a");
    this.outputs = root.resolve("o");
    this.nowNanos = nowNanos;
    this.stats = stats;
    this.memo = remember ? new RecordMemo() : null;
    this.packs = new Packs(root);
  }

  /**
   * Opens (creating when needed) a store rooted at {@code root}.
   *
   * @param nowNanos the clock, Unix time in nanoseconds
   * @throws IOException when the directory cannot be created; the message names it
   */
  public static DiskStore open(Path root, LongSupplier nowNanos, Stats stats) throws IOException {
    return open(root, nowNanos, stats, false);
  }

  /**
   * As {@link #open(Path, LongSupplier, Stats)}; {@code remember}: keep the records read and
   * written in memory ({@link RecordMemo}), for a process that serves many builds (the daemon).
   */
  public static DiskStore open(Path root, LongSupplier nowNanos, Stats stats, boolean remember)
      throws IOException {
    Path abs = root.toAbsolutePath().normalize();
    DiskStore s = new DiskStore(abs, nowNanos, stats, remember);
    for (Path top : new Path[] {s.actions, s.outputs}) {
      if (NoLinks.isLink(top)) {
        Files.delete(top); // a link to elsewhere: the cache never writes through it
      }
    }
    try {
      Files.createDirectories(s.actions);
      Files.createDirectories(s.outputs);
    } catch (IOException e) {
      if (!Files.isDirectory(s.actions) || !Files.isDirectory(s.outputs)) {
        throw new IOException(
            "cannot create the cache directory " + abs + ": " + IoText.reason(e), e);
      }
    }
    return s;
  }

  public Path root() {
    return root;
  }

  /**
   * Whether the store holds no action record at all (a new directory, or one emptied by a trim):
   * every get will miss. Reads {@code a/} and its subdirectories until one holds anything (a warm
   * directory: two reads); an unreadable directory counts as not empty.
   */
  public boolean isEmpty() {
    if (packs.any()) {
      return false;
    }
    try (DirectoryStream<Path> d = Files.newDirectoryStream(actions)) {
      for (Path sub : d) {
        try (DirectoryStream<Path> records = Files.newDirectoryStream(sub)) {
          if (records.iterator().hasNext()) {
            return false;
          }
        } catch (IOException e) {
          return false; // not a directory of records: something is there
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Path of the record for {@code action} (it may not exist). */
  public Path recordPath(Key action) {
    return actionShard(action).resolve(action.hex());
  }

  /** The shard directory of {@code action}'s record. */
  private Path actionShard(Key action) {
    return shard(actionShards, actions, action.shard());
  }

  /** The shard directory of {@code output}'s body. */
  private Path outputShard(Key output) {
    return shard(outputShards, outputs, output.shard());
  }

  /**
   * Shard directory {@code i} of {@code top}, made once: every lookup names two, and a path made
   * from a string is checked character by character. A race makes an equal path twice, harmlessly.
   */
  private static Path shard(Path[] made, Path top, int i) {
    Path p = made[i];
    if (p == null) {
      p = top.resolve(new String(new char[] {HEX.charAt(i >> 4), HEX.charAt(i & 0xf)}));
      made[i] = p;
    }
    return p;
  }

  private static final String HEX = "0123456789abcdef";

  /** Path of the body for {@code output} (it may not exist). */
  public Path bodyPath(Key output) {
    return outputShard(output).resolve(output.hex());
  }

  /**
   * Whether a record of {@code action} exists, as a file or packed; its body is not checked (see
   * {@link #lookup}).
   */
  public boolean hasRecord(Key action) {
    if (packs.get(action) != null) {
      return true;
    }
    try {
      return NoLinks.somethingAt(recordPath(action));
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public CompletableFuture<Optional<Hit>> get(Key actionId) {
    return CompletableFuture.completedFuture(lookup(actionId));
  }

  /**
   * Looks up {@code action} on disk; never throws, an unreadable entry is a miss. Nothing is
   * followed through a symbolic link: a link in place of a shard directory, a record or a body is a
   * miss and is removed (the link itself). The body's content is not hashed here (see {@code
   * docs/adr/0018-*}): a body is checked to be a regular file of the record's size; its content was
   * verified when it was written and is verified again when a put arrives for it.
   */
  public Optional<Hit> lookup(Key action) {
    Entry known = memo != null ? memo.get(action) : null;
    if (known != null) {
      Optional<Hit> h = bodyHit(known);
      if (h.isPresent()) {
        return h;
      }
      memo.forget(action); // its body is gone: what does the disk say now?
    }
    Path shard = actionShard(action);
    Path rec = shard.resolve(action.hex());
    if (!realShard(shard)) {
      return fromPacks(action);
    }
    if (missRun >= MISS_RUN && !there(rec)) {
      return fromPacks(action); // a cold build: not even the JDK's exception for each miss
    }
    byte[] data;
    try {
      data = readNoFollow(rec, MAX_RECORD, "a record");
    } catch (NoSuchFileException e) {
      missRun++;
      return fromPacks(action);
    } catch (IOException e) {
      if (NoLinks.isLink(rec)) {
        discard(rec, "linked-entries");
      } else {
        stats.add("disk-read-errors", 1);
      }
      return Optional.empty();
    }
    missRun = 0;
    Optional<Entry> parsed = Record.decode(action, data);
    if (parsed.isEmpty()) {
      discard(rec, "corrupt-records");
      return Optional.empty();
    }
    Entry e = parsed.get();
    Optional<Hit> h = bodyHit(e);
    if (h.isEmpty()) {
      discard(rec, "dangling-records");
    } else if (memo != null) {
      memo.remember(action, e);
    }
    return h;
  }

  /**
   * {@link NoLinks#somethingAt}, true when that cannot be told: the open then says what is wrong.
   */
  private static boolean there(Path p) {
    try {
      return NoLinks.somethingAt(p);
    } catch (IOException e) {
      return true;
    }
  }

  /**
   * When there is no record file: the packed record, if any (a record file wins: it is what a put
   * wrote, after any prefetch). The packs are read again when another process added one since.
   */
  private Optional<Hit> fromPacks(Key action) {
    Entry e = packs.get(action);
    if (e == null) {
      e = packs.recheck(action);
    }
    if (e == null) {
      return Optional.empty();
    }
    Optional<Hit> h = bodyHit(e);
    if (h.isEmpty()) {
      packs.forget(action);
    }
    return h;
  }

  /**
   * The hit for record {@code e} when its body is a regular file of the record's size in a real
   * shard directory (its use time refreshed when old), else empty; a body that is a link or of the
   * wrong size is removed.
   */
  private Optional<Hit> bodyHit(Entry e) {
    Path shard = outputShard(e.outputId());
    Path body = shard.resolve(e.outputId().hex());
    BasicFileAttributes attrs;
    try {
      attrs =
          realShard(shard)
              ? Files.readAttributes(body, BasicFileAttributes.class, NoLinks.NOFOLLOW)
              : null;
    } catch (IOException x) {
      attrs = null;
    }
    if (attrs == null) {
      return Optional.empty();
    }
    if (!attrs.isRegularFile() || attrs.size() != e.size()) {
      discard(body, attrs.isSymbolicLink() ? "linked-entries" : "corrupt-bodies");
      return Optional.empty();
    }
    touchIfOld(body, attrs.lastModifiedTime());
    return Optional.of(new Hit(e, body));
  }

  /**
   * The whole of {@code p}, opened without following a link (a link fails to open); a file over
   * {@code max} bytes is refused, named as {@code what}.
   */
  static byte[] readNoFollow(Path p, long max, String what) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long size = ch.size();
      if (size > max) {
        throw new IOException(p + " is " + size + " bytes, too big for " + what);
      }
      ByteBuffer b = ByteBuffer.allocate((int) size);
      while (b.hasRemaining() && ch.read(b) >= 0) {
        // until full or at its end
      }
      return b.position() == b.capacity() ? b.array() : Arrays.copyOf(b.array(), b.position());
    }
  }

  /**
   * Whether shard directory {@code dir} is a real directory. A link (or a file) in its place is
   * removed and counted; absent is simply false.
   */
  private boolean realShard(Path dir) {
    try {
      Optional<BasicFileAttributes> a = shardAttributes(dir);
      if (a.isEmpty()) {
        return false;
      }
      if (a.get().isDirectory()) {
        return true;
      }
    } catch (IOException e) {
      return false;
    }
    discard(dir, "linked-entries");
    return false;
  }

  @Override
  public Path put(Key action, Key output, long size, BodySource body) throws IOException {
    return store(action, output, size, body).diskPath();
  }

  /**
   * As {@link #put}, returning the hit a lookup would now give (without reading it back): for
   * entries fetched from a shared tier, which go asks for right after.
   */
  public Hit store(Key action, Key output, long size, BodySource body) throws IOException {
    Hit h = storeBody(output, size, body);
    writeRecord(action, h.entry());
    return h;
  }

  /**
   * As {@link #store}, but the record is packed ({@link Packs}): found at once by this process, and
   * by others after {@link #flushPacked}. For the many entries of a prefetch into a fresh
   * directory, where a file per record is what costs.
   */
  public Hit storePacked(Key action, Key output, long size, BodySource body) throws IOException {
    Hit h = storeBody(output, size, body);
    packs.add(action, h.entry());
    if (memo != null) {
      memo.remember(action, h.entry());
    }
    return h;
  }

  /**
   * Writes the records packed since the last call as one pack file, for other processes to find.
   *
   * @return how many records were written
   * @throws IOException when the pack cannot be written; the message names it
   */
  public int flushPacked() throws IOException {
    return packs.flush();
  }

  /** Writes (or checks the stored copy of) the body of {@code output}; the entry, not recorded. */
  private Hit storeBody(Key output, long size, BodySource body) throws IOException {
    Path obj = bodyPath(output);
    if (hasBody(obj, size) && storedBodyIs(obj, output)) {
      HashingSink sink = new HashingSink(null);
      check(body.writeTo(sink), sink, size, output);
    } else {
      writeBody(obj, output, size, body);
    }
    return new Hit(new Entry(output, size, nowNanos.getAsLong()), obj);
  }

  /**
   * Whether the stored body {@code obj} hashes to {@code output}. Run only when a put arrives for a
   * body already stored (rare on a warm build, where go's lookups hit): one read of a file that is
   * usually in the page cache. A body that differs is counted and written again.
   */
  private boolean storedBodyIs(Path obj, Key output) {
    Sha256.Hasher md = Sha256.newHasher();
    byte[] buf = new byte[1 << 16];
    try (FileChannel ch =
        FileChannel.open(obj, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      ByteBuffer b = ByteBuffer.wrap(buf);
      for (int n = ch.read(b); n >= 0; n = ch.read(b)) {
        md.update(buf, 0, n);
        b.clear();
      }
    } catch (IOException e) {
      return false; // unreadable: write it again
    }
    if (Arrays.equals(md.digest(), output.bytes())) {
      return true;
    }
    stats.add("replaced-bodies", 1);
    return false;
  }

  /** Writes {@code e} as the record of {@code action}, atomically. */
  public void writeRecord(Key action, Entry e) throws IOException {
    Path shard = actionShard(action);
    Path rec = shard.resolve(action.hex());
    try {
      ensureShard(shard);
      AtomicFiles.write(rec, Record.encode(action, e));
    } catch (IOException | IllegalArgumentException x) { // the latter: a clock before 1970
      throw new IOException("cannot write cache record " + rec + ": " + x, x);
    }
    if (memo != null) {
      memo.remember(action, e);
    }
  }

  private void writeBody(Path obj, Key output, long size, BodySource body) throws IOException {
    try {
      ensureShard(obj.getParent());
      AtomicFiles.replace(
          obj,
          ch -> {
            try (ChannelSink file = new ChannelSink(ch)) {
              HashingSink sink = new HashingSink(file);
              check(body.writeTo(sink), sink, size, output);
            }
          });
    } catch (BadPutException e) {
      throw e;
    } catch (IOException e) {
      throw new IOException("cannot write cache file " + obj + ": " + e, e);
    }
  }

  private static void check(long n, HashingSink sink, long size, Key output) throws IOException {
    if (n != size) {
      sink.finish();
      throw new BadPutException("body has " + n + " bytes but BodySize says " + size);
    }
    byte[] got = sink.digest();
    sink.finish();
    if (!Arrays.equals(got, output.bytes())) {
      throw new BadPutException(
          "body sha256 " + Key.of(got).hex() + " does not match OutputID " + output.hex());
    }
  }

  /**
   * Creates fan-out directory {@code dir} unless it exists (one {@code lstat} when it does).
   * Whatever stands in its place that is not a real directory (a link to elsewhere) is removed
   * first: a write never lands outside the cache directory.
   */
  private void ensureShard(Path dir) throws IOException {
    Optional<BasicFileAttributes> a = shardAttributes(dir);
    if (a.isPresent() && a.get().isDirectory()) {
      return;
    }
    if (a.isPresent()) {
      discard(dir, "linked-entries");
    }
    try {
      Files.createDirectory(dir);
    } catch (FileAlreadyExistsException e) {
      Optional<BasicFileAttributes> there = NoLinks.attributes(dir); // a link to nothing?
      if (there.isPresent() && there.get().isSymbolicLink()) {
        discard(dir, "linked-entries");
        Files.createDirectory(dir);
      } else if (there.isEmpty() || !there.get().isDirectory()) {
        throw new IOException(dir + " is not a directory; remove it", e);
      }
    }
  }

  /**
   * The attributes of shard directory {@code dir} itself: one {@code lstat} for a shard seen as a
   * real directory before (a warm build's every lookup), else without the JDK's exceptions for a
   * missing one (a fresh directory's, see {@link NoLinks#attributesIfThere}).
   */
  private Optional<BasicFileAttributes> shardAttributes(Path dir) throws IOException {
    boolean seen = realShards.contains(dir);
    Optional<BasicFileAttributes> a =
        seen ? NoLinks.attributes(dir) : NoLinks.attributesIfThere(dir);
    if (a.isPresent() && a.get().isDirectory()) {
      if (!seen && realShards.size() < MAX_SHARDS_SEEN) {
        realShards.add(dir);
      }
    } else if (seen) {
      realShards.remove(dir);
    }
    return a;
  }

  private boolean hasBody(Path obj, long size) {
    try {
      // null when absent: a fresh directory has no bodies, and a failed lookup would throw
      BasicFileAttributes a = NoLinks.attributesIfThere(obj).orElse(null);
      if (a != null && a.isRegularFile() && a.size() == size) {
        touchIfOld(obj, a.lastModifiedTime());
        return true;
      }
    } catch (IOException e) {
      // unreadable: write it again
    }
    return false;
  }

  private void touchIfOld(Path p, FileTime mtime) {
    long now = nowNanos.getAsLong();
    long then = mtime.to(TimeUnit.NANOSECONDS);
    if (now - then > TOUCH_AFTER_NANOS) {
      try {
        Files.setLastModifiedTime(p, FileTime.from(now, TimeUnit.NANOSECONDS));
      } catch (IOException e) {
        // read-only cache or a race with a trim: use time is advisory
      }
    }
  }

  /** Removes {@code p} (a link itself, never through one) and counts it under {@code counter}. */
  private void discard(Path p, String counter) {
    stats.add(counter, 1);
    NoLinks.deleteInside(root, p); // read-only: it stays a miss
  }

  @Override
  public void close() {
    try {
      packs.flush();
    } catch (IOException e) {
      stats.add("disk-write-errors", 1);
    }
  }
}
