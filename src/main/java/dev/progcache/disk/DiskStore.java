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
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.LongSupplier;

/**
 * The local disk tier. Layout under the root directory (see {@code package-info}):
 * {@code a/<xx>/<action hex>} action records and {@code o/<xx>/<output hex>} bodies, where
 * {@code xx} is the first two hex digits.
 *
 * <p>Thread-safe, and safe to share between processes: every file is written to a temp file in
 * its final directory and renamed into place; a body lands before the record that names it; files
 * are never rewritten in place. A record that does not parse, or names a body that is missing or of
 * the wrong size, is a miss and is removed.
 */
public final class DiskStore implements BuildCache {
  /** Bodies last used longer ago than this get their mtime refreshed on a hit (for trimming). */
  static final long TOUCH_AFTER_NANOS = TimeUnit.HOURS.toNanos(1);

  private final Path root;
  private final Path actions;
  private final Path outputs;
  private final LongSupplier nowNanos;
  private final Stats stats;
  /**
   * Fan-out directories known to exist (records 0-255, bodies 256-511), so that the first write
   * into each neither fails its open nor creates the directory twice (a fresh directory fills
   * all 512 at once; a failed open costs an exception with its stack trace).
   */
  private final AtomicIntegerArray shards = new AtomicIntegerArray(512);

  private DiskStore(Path root, LongSupplier nowNanos, Stats stats) {
    this.root = root;
    this.actions = root.resolve("a");
    this.outputs = root.resolve("o");
    this.nowNanos = nowNanos;
    this.stats = stats;
  }

  /**
   * Opens (creating when needed) a store rooted at {@code root}.
   *
   * @param nowNanos the clock, Unix time in nanoseconds
   * @throws IOException when the directory cannot be created; the message names it
   */
  public static DiskStore open(Path root, LongSupplier nowNanos, Stats stats) throws IOException {
    Path abs = root.toAbsolutePath().normalize();
    DiskStore s = new DiskStore(abs, nowNanos, stats);
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
   * Whether the store holds no action record at all (a new directory, or one emptied by a
   * trim): every get will miss. Reads {@code a/} and its subdirectories until one holds anything
   * (a warm directory: two reads); an unreadable directory counts as not empty.
   */
  public boolean isEmpty() {
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
    String h = action.hex();
    return actions.resolve(h.substring(0, 2)).resolve(h);
  }

  /** Path of the body for {@code output} (it may not exist). */
  public Path bodyPath(Key output) {
    String h = output.hex();
    return outputs.resolve(h.substring(0, 2)).resolve(h);
  }

  @Override
  public CompletableFuture<Optional<Hit>> get(Key actionId) {
    return CompletableFuture.completedFuture(lookup(actionId));
  }

  /** Looks up {@code action} on disk; never throws, an unreadable entry is a miss. */
  public Optional<Hit> lookup(Key action) {
    Path rec = recordPath(action);
    byte[] data;
    try {
      data = Files.readAllBytes(rec);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      stats.add("disk-read-errors", 1);
      return Optional.empty();
    }
    Optional<Entry> parsed = Record.decode(action, data);
    if (parsed.isEmpty()) {
      discard(rec, "corrupt-records");
      return Optional.empty();
    }
    Entry e = parsed.get();
    Path body = bodyPath(e.outputId());
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(body, BasicFileAttributes.class);
    } catch (IOException x) {
      discard(rec, "dangling-records");
      return Optional.empty();
    }
    if (!attrs.isRegularFile() || attrs.size() != e.size()) {
      discard(body, "corrupt-bodies");
      discard(rec, "dangling-records");
      return Optional.empty();
    }
    touchIfOld(body, attrs.lastModifiedTime());
    return Optional.of(new Hit(e, body));
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
    Path obj = bodyPath(output);
    if (hasBody(obj, size)) {
      HashingSink sink = new HashingSink(null);
      check(body.writeTo(sink), sink, size, output);
    } else {
      writeBody(obj, output, size, body);
    }
    Entry e = new Entry(output, size, nowNanos.getAsLong());
    writeRecord(action, e);
    return new Hit(e, obj);
  }

  /** Writes {@code e} as the record of {@code action}, atomically. */
  public void writeRecord(Key action, Entry e) throws IOException {
    Path rec = recordPath(action);
    try {
      ensureShard(rec.getParent(), action.shard());
      writeAtomically(rec, Record.encode(action, e));
    } catch (IOException | IllegalArgumentException x) { // the latter: a clock before 1970
      throw new IOException("cannot write cache record " + rec + ": " + x, x);
    }
  }

  /**
   * Replaces {@code target} with {@code data}: a temp file in the same directory, renamed over
   * it. Readers see the old or the new content, never a mix; no temp file is left on failure.
   */
  public static void writeAtomically(Path target, byte[] data) throws IOException {
    replace(
        target,
        ch -> {
          ByteBuffer b = ByteBuffer.wrap(data);
          while (b.hasRemaining()) {
            ch.write(b);
          }
        });
  }

  private void writeBody(Path obj, Key output, long size, BodySource body) throws IOException {
    try {
      ensureShard(obj.getParent(), 256 + output.shard());
      replace(
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

  /** Fills a temp file through its channel. */
  @FunctionalInterface
  private interface Fill {
    void into(FileChannel ch) throws IOException;
  }

  /**
   * Writes a temp file beside {@code target} with {@code fill}, then renames it over {@code
   * target}; the temp file is removed when anything fails.
   */
  private static void replace(Path target, Fill fill) throws IOException {
    Temp tmp = openTemp(target.getParent());
    boolean done = false;
    try {
      try (FileChannel ch = tmp.channel()) {
        fill.into(ch);
      }
      Files.move(tmp.path(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      done = true;
    } finally {
      if (!done) {
        Files.deleteIfExists(tmp.path());
      }
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

  /** Creates fan-out directory {@code dir} (number {@code index}) unless known to exist. */
  private void ensureShard(Path dir, int index) throws IOException {
    if (shards.get(index) != 0) {
      return;
    }
    if (!dir.getFileSystem().provider().exists(dir)) {
      try {
        Files.createDirectory(dir);
      } catch (FileAlreadyExistsException e) {
        // made by another writer meanwhile
      }
    }
    shards.set(index, 1); // a trim may remove it later: openTemp creates it again then
  }

  private boolean hasBody(Path obj, long size) {
    try {
      // null when absent: a fresh directory has no bodies, and a failed lookup would throw
      BasicFileAttributes a =
          obj.getFileSystem().provider().readAttributesIfExists(obj, BasicFileAttributes.class);
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

  private void discard(Path p, String counter) {
    stats.add(counter, 1);
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // read-only: it stays a miss
    }
  }

  /** A temp file just created, open for writing. */
  record Temp(Path path, FileChannel channel) {}

  /**
   * Creates a new temp file in {@code dir} (creating {@code dir}), open for writing, in one
   * system call; its name starts with '.'. (Creating it empty and opening it again with truncation
   * cost a second open, and ext4 flushes a truncated file when it is closed.)
   */
  static Temp openTemp(Path dir) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path tmp = dir.resolve(".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
      try {
        return new Temp(
            tmp, FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
      } catch (NoSuchFileException e) {
        if (attempt > 2) {
          throw e;
        }
        Files.createDirectories(dir);
      } catch (FileAlreadyExistsException e) {
        if (attempt > 10) {
          throw e;
        }
      }
    }
  }

  @Override
  public void close() {}
}
