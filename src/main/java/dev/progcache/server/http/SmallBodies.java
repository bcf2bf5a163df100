package dev.progcache.server.http;

import dev.progcache.cache.Key;
import dev.progcache.disk.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of small outputs the server has sent, kept in memory up to a byte budget, so that the
 * hot small objects every runner asks for are sent without touching the disk.
 *
 * <p>Keyed by output ID, which is the sha256 of the bytes: an entry can never be stale, whatever
 * namespace or action led to it, and bytes are kept only once they hash to their ID. Over the
 * budget, arbitrary entries are dropped until a quarter of it is free again. Thread-safe.
 */
final class SmallBodies {
  /** Bodies up to this size are kept. */
  static final int MAX_BODY = 64 << 10;

  /** What the map spends per entry beside the bytes, roughly. */
  private static final int OVERHEAD = 128;

  private final long budget;
  private final ConcurrentHashMap<Key, byte[]> kept = new ConcurrentHashMap<>();
  private final AtomicLong bytes = new AtomicLong();

  /**
   * @param budget bytes to keep at most (0 keeps nothing)
   */
  SmallBodies(long budget) {
    this.budget = budget;
  }

  /**
   * The {@code size} bytes of {@code output}, from memory or read from {@code file}.
   *
   * @throws IOException when the file cannot be read or no longer has {@code size} bytes
   */
  byte[] read(Key output, long size, Path file) throws IOException {
    byte[] b = kept.get(output);
    if (b != null) {
      return b;
    }
    b = Files.readAllBytes(file);
    if (b.length != size) {
      throw new IOException("stored body changed size: " + file);
    }
    if (size <= MAX_BODY && budget > 0 && hashesTo(b, output)) {
      keep(output, b);
    }
    return b;
  }

  /** Bytes kept now, with the per-entry overhead. */
  long bytes() {
    return bytes.get();
  }

  private void keep(Key output, byte[] b) {
    if (kept.putIfAbsent(output, b) == null && bytes.addAndGet(b.length + OVERHEAD) > budget) {
      Iterator<Map.Entry<Key, byte[]>> it = kept.entrySet().iterator();
      while (bytes.get() > budget / 4 * 3 && it.hasNext()) {
        Map.Entry<Key, byte[]> e = it.next();
        if (kept.remove(e.getKey(), e.getValue())) {
          bytes.addAndGet(-(e.getValue().length + OVERHEAD));
        }
      }
    }
  }

  private static boolean hashesTo(byte[] b, Key output) {
    Sha256.Hasher h = Sha256.newHasher();
    h.update(b, 0, b.length);
    return MessageDigest.isEqual(h.digest(), output.bytes());
  }
}
