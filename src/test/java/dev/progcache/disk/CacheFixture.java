package dev.progcache.disk;

import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.testing.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** A disk store on a controllable clock, with helpers to add entries and age their bodies. */
final class CacheFixture {
  static final long HOUR = TimeUnit.HOURS.toNanos(1);
  static final long DAY = TimeUnit.DAYS.toNanos(1);

  /** Unix nanoseconds; starts at a fixed 2026 date. */
  final ManualClock clock = new ManualClock(1_790_000_000L * 1_000_000_000L);

  final DiskStore store;
  private final Random rnd = new Random(7);
  private final Map<Key, Key> outputs = new HashMap<>();

  CacheFixture(Path dir) throws IOException {
    store = DiskStore.open(dir, clock::get, new Stats());
  }

  /** An entry as it is after a put; returns its action id. */
  Key put(int size) throws IOException {
    byte[] body = new byte[size];
    rnd.nextBytes(body);
    byte[] a = new byte[32];
    rnd.nextBytes(a);
    Key action = Key.of(a);
    Key output = Key.of(sha256(body));
    store.put(
        action,
        output,
        size,
        out -> {
          out.write(body);
          return body.length;
        });
    outputs.put(action, output);
    lastUse(action, clock.get());
    Files.setLastModifiedTime(
        store.recordPath(action), FileTime.from(clock.get(), TimeUnit.NANOSECONDS));
    return action;
  }

  Path body(Key action) {
    return store.bodyPath(outputs.get(action));
  }

  /** Sets the use time (mtime) of the body of {@code action}. */
  void lastUse(Key action, long nanos) throws IOException {
    Files.setLastModifiedTime(body(action), FileTime.from(nanos, TimeUnit.NANOSECONDS));
  }

  /** Whether record and body are both still there (without counting as a use). */
  boolean present(Key action) {
    return Files.exists(store.recordPath(action)) && Files.exists(body(action));
  }

  Trimmer trimmer() {
    return new Trimmer(store, clock::get);
  }

  static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A random 32-byte key. */
  static Key randomKey(java.util.Random rnd) {
    byte[] b = new byte[32];
    rnd.nextBytes(b);
    return Key.of(b);
  }

  /** Puts {@code body} under {@code action} in {@code store}; returns the body's path. */
  static Path putBody(DiskStore store, Key action, byte[] body) throws IOException {
    return store.put(
        action,
        Key.of(sha256(body)),
        body.length,
        out -> {
          out.write(body);
          return body.length;
        });
  }
}
