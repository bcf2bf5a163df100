package dev.progcache.modproxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Module files on the server's disk, under {@code <dir>/<key>}, at most {@code limit} bytes in all:
 * the least recently served go first. Every file is written to a temp file in its directory and
 * renamed into place, so a reader sees a complete file or none. A file is opened before it is
 * served, so evicting it meanwhile does not cut the answer short.
 *
 * <p>Thread-safe. Several processes must not share one directory (each keeps its own account of
 * sizes); replicas share files through the bucket instead.
 */
final class DiskFiles {
  /** An open stored file and its size; the caller closes the channel. */
  record Opened(FileChannel channel, long size) {}

  private final Path dir;
  private final long limit;
  private final ReentrantLock lock = new ReentrantLock();

  /** key to size, least recently used first. */
  private final LinkedHashMap<String, Long> sizes = new LinkedHashMap<>(256, 0.75f, true);

  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong evictions = new AtomicLong();

  /**
   * Opens {@code dir} (created if missing), taking account of the files already there, oldest
   * first.
   *
   * @throws IOException when the directory cannot be created or read
   */
  DiskFiles(Path dir, long limit) throws IOException {
    this.dir = dir.toAbsolutePath().normalize();
    this.limit = limit;
    Files.createDirectories(this.dir);
    record Found(String key, long size, long modified) {}
    List<Found> found = new ArrayList<>();
    try (Stream<Path> s = Files.walk(this.dir)) {
      for (Path p : s.toList()) {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        String name = p.getFileName().toString();
        if (!a.isRegularFile()) {
          continue;
        }
        if (name.startsWith(".tmp-")) {
          Files.deleteIfExists(p); // left by a crash mid-write
          continue;
        }
        found.add(
            new Found(
                this.dir.relativize(p).toString(), a.size(), a.lastModifiedTime().toMillis()));
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    found.sort(Comparator.comparingLong(Found::modified));
    for (Found f : found) {
      sizes.put(f.key(), f.size());
      bytes.addAndGet(f.size());
    }
    evict();
  }

  /** The file named {@code key}, opened, or empty when this disk does not hold it. */
  Optional<Opened> open(String key) throws IOException {
    Path p = path(key);
    lock.lock();
    try {
      if (sizes.get(key) == null) {
        return Optional.empty();
      }
      try {
        FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
        return Optional.of(new Opened(ch, ch.size()));
      } catch (NoSuchFileException e) {
        bytes.addAndGet(-sizes.remove(key));
        return Optional.empty();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Whether this disk holds {@code key} (as far as its account knows). */
  boolean holds(String key) {
    lock.lock();
    try {
      return sizes.containsKey(key);
    } finally {
      lock.unlock();
    }
  }

  /**
   * A new empty temp file in the directory of {@code key}, for {@link #commit}; the caller deletes
   * it when it does not commit.
   */
  Path tempFor(String key) throws IOException {
    Path parent = path(key).getParent();
    Files.createDirectories(parent);
    return Files.createTempFile(parent, ".tmp-", "");
  }

  /** Renames the complete file {@code temp} (from {@link #tempFor}) into place as {@code key}. */
  void commit(String key, Path temp) throws IOException {
    Path p = path(key);
    long size = Files.size(temp);
    lock.lock();
    try {
      try {
        Files.move(temp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot rename " + temp + " to " + p + " atomically", e);
      }
      Long before = sizes.put(key, size);
      bytes.addAndGet(size - (before == null ? 0 : before));
      evict();
    } finally {
      lock.unlock();
    }
  }

  /** Removes {@code key} (a stale list that is replaced, or a file found bad). */
  void remove(String key) throws IOException {
    lock.lock();
    try {
      Long s = sizes.remove(key);
      if (s != null) {
        bytes.addAndGet(-s);
      }
      Files.deleteIfExists(path(key));
    } finally {
      lock.unlock();
    }
  }

  private void evict() throws IOException {
    Iterator<Map.Entry<String, Long>> it = sizes.entrySet().iterator();
    while (bytes.get() > limit && it.hasNext()) {
      Map.Entry<String, Long> e = it.next();
      it.remove();
      bytes.addAndGet(-e.getValue());
      evictions.incrementAndGet();
      Files.deleteIfExists(path(e.getKey()));
    }
  }

  /** The file of {@code key}; refuses any key that would leave the directory. */
  private Path path(String key) {
    Path p = dir.resolve(key).normalize();
    if (!p.startsWith(dir) || p.equals(dir)) {
      throw new IllegalArgumentException("module store key outside the store: " + key);
    }
    return p;
  }

  long bytes() {
    return bytes.get();
  }

  long limit() {
    return limit;
  }

  long files() {
    lock.lock();
    try {
      return sizes.size();
    } finally {
      lock.unlock();
    }
  }

  long evictions() {
    return evictions.get();
  }
}
