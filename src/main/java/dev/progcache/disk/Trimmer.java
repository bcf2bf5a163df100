package dev.progcache.disk;

import dev.progcache.cache.Entry;
import dev.progcache.cache.Key;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Trims a cache directory by age and total size (see {@link TrimPlan} for the rules), safely while
 * builds use it.
 *
 * <p>Only one trim runs per directory at a time, across processes: {@code trim.lock} is locked for
 * the duration, and a trim that finds it locked does nothing. {@code trim.txt} records the age
 * reference of the last trim; automatic trims run when it is older than the policy's interval.
 *
 * <p>Clock jumps: ages are measured from a reference that is now, except that it advances at most
 * {@code max(maxAge, 2 × interval, 1 day)} past the previous trim's reference, so a clock that
 * jumps forward does not make the whole cache look old at once; a clock that went back makes files
 * look as if from the future, and those are kept and set to now.
 *
 * <p>Thread-safe; methods throw {@link IOException} only when the directory cannot be read.
 */
public final class Trimmer {
  static final String LOCK = "trim.lock";
  private static final long MIN_STEP_NANOS = TimeUnit.DAYS.toNanos(1);

  private final DiskStore store;
  private final LongSupplier nowNanos;

  /**
   * @param nowNanos the clock, Unix time in nanoseconds
   */
  public Trimmer(DiskStore store, LongSupplier nowNanos) {
    this.store = store;
    this.nowNanos = nowNanos;
  }

  /** The age reference recorded by the last trim (Unix nanoseconds), if any. */
  public OptionalLong lastTrim() {
    return TrimStamp.read(store.root());
  }

  /** Whether an automatic trim is due under {@code p}. */
  public boolean due(TrimPolicy p) {
    if (p.interval().isZero()) {
      return false;
    }
    OptionalLong last = TrimStamp.read(store.root());
    long now = nowNanos.getAsLong();
    return last.isEmpty()
        || last.getAsLong() > now + TrimPlan.SLACK_NANOS
        || now - last.getAsLong() >= p.interval().toNanos();
  }

  /**
   * Trims when due and no other process is trimming; empty when it did not run. Due-ness is checked
   * again under the lock, so helpers closing together trim once.
   */
  public Optional<TrimReport> maybeTrim(TrimPolicy p) throws IOException {
    return due(p) ? locked(p, false, true) : Optional.empty();
  }

  /**
   * Trims now under {@code p}; with {@code dryRun} it only reports what it would remove.
   *
   * @return empty when another process holds the trim lock
   */
  public Optional<TrimReport> trim(TrimPolicy p, boolean dryRun) throws IOException {
    return locked(p, dryRun, false);
  }

  private Optional<TrimReport> locked(TrimPolicy p, boolean dryRun, boolean onlyIfDue)
      throws IOException {
    Path lockFile = store.root().resolve(LOCK);
    try (FileChannel ch =
        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      Optional<FileLock> lock = tryLock(ch);
      if (lock.isEmpty()) {
        return Optional.empty();
      }
      try {
        if (onlyIfDue && !due(p)) {
          return Optional.empty();
        }
        return Optional.of(trimLocked(p, dryRun));
      } finally {
        lock.get().release();
      }
    }
  }

  private static Optional<FileLock> tryLock(FileChannel ch) throws IOException {
    try {
      return Optional.ofNullable(ch.tryLock());
    } catch (OverlappingFileLockException e) {
      return Optional.empty(); // another thread of this process trims
    }
  }

  private TrimReport trimLocked(TrimPolicy p, boolean dryRun) throws IOException {
    long now = nowNanos.getAsLong();
    long ref = reference(now, TrimStamp.read(store.root()), p);
    Inventory inv = Inventory.of(store);
    TrimPlan plan = TrimPlan.of(inv, p, now, ref);
    TrimReport.Tally before = new TrimReport.Tally(inv.bodies().size(), inv.bodyBytes());
    if (dryRun) {
      TrimReport.Tally removed = new TrimReport.Tally(0, 0);
      for (Inventory.Body b : plan.bodies()) {
        removed = removed.plus(b.file().size());
      }
      return new TrimReport(before, removed, plan.records().size(), plan.temps().size());
    }
    Map<Key, List<Inventory.RecordFile>> byBody = new HashMap<>();
    java.util.Set<Key> going = plan.bodyIds();
    long records = 0;
    for (Inventory.RecordFile r : plan.records()) {
      Optional<Key> o = r.entry().map(Entry::outputId);
      if (o.isPresent() && going.contains(o.get())) {
        byBody.computeIfAbsent(o.get(), k -> new ArrayList<>()).add(r);
      } else {
        records += delete(r.file().path()) ? 1 : 0; // corrupt or dangling
      }
    }
    TrimReport.Tally removed = new TrimReport.Tally(0, 0);
    java.util.Set<Key> deleted = new java.util.HashSet<>();
    for (Inventory.Body b : plan.bodies()) {
      if (!stillUnused(b, now)) {
        continue; // used since the scan: it and its records stay
      }
      for (Inventory.RecordFile r : byBody.getOrDefault(b.output(), List.of())) {
        records += delete(r.file().path()) ? 1 : 0;
      }
      if (delete(b.file().path())) {
        removed = removed.plus(b.file().size());
        deleted.add(b.output());
      }
    }
    long temps = 0;
    for (Inventory.FileInfo t : plan.temps()) {
      temps += delete(t.path()) ? 1 : 0;
    }
    for (Inventory.Body b : plan.future()) {
      setUseTime(b.file().path(), now);
    }
    records += Packs.merge(store, inv.packed(), deleted, now);
    TrimStamp.write(store.root(), ref);
    return new TrimReport(before, removed, records, temps);
  }

  /**
   * The time ages are measured from: {@code now}, but at most one step past the last trim's
   * reference; {@code now} when there is none or it is in the future.
   */
  static long reference(long now, OptionalLong last, TrimPolicy p) {
    if (last.isEmpty() || last.getAsLong() > now) {
      return now;
    }
    long step =
        Math.max(MIN_STEP_NANOS, Math.max(p.maxAge().toNanos(), 2 * p.interval().toNanos()));
    long l = last.getAsLong();
    return now - l > step ? l + step : now;
  }

  /** Re-reads the use time just before removal: a hit may have refreshed it since the scan. */
  private static boolean stillUnused(Inventory.Body b, long now) {
    return Inventory.info(b.file().path())
        .map(
            f ->
                f.mtimeNanos() <= b.file().mtimeNanos()
                    && f.mtimeNanos() <= now - TrimPlan.GRACE_NANOS)
        .orElse(false);
  }

  /**
   * Removes {@code p} only inside the cache directory, never through a link; read-only or racing:
   * it stays.
   */
  private boolean delete(Path p) {
    return NoLinks.deleteInside(store.root(), p);
  }

  private void setUseTime(Path p, long now) {
    if (!NoLinks.inside(store.root(), p)) {
      return;
    }
    try {
      Files.getFileAttributeView(
              p, java.nio.file.attribute.BasicFileAttributeView.class, NoLinks.NOFOLLOW)
          .setTimes(FileTime.from(now, TimeUnit.NANOSECONDS), null, null);
    } catch (IOException e) {
      // advisory
    }
  }
}
