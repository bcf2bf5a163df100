package dev.progcache.disk;

import dev.progcache.cache.Key;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What a trim removes from an {@link Inventory}, decided without touching the disk.
 *
 * <p>Rules, in order: a body used or written within {@link #GRACE_NANOS} of now, or in the future
 * (the clock went back), is never removed. Bodies unused since {@code reference - maxAge} go; then
 * bodies no parsing record names (orphans); then least recently used bodies until the rest fit in
 * {@code maxBytes}. Records go when they do not parse, name a missing body (unless written within
 * the grace period: a put may be between its body and its record), or name a body that goes. Temp
 * files go when older than {@link #TEMP_AGE_NANOS}.
 *
 * @param bodies bodies to remove, oldest first
 * @param records records to remove
 * @param temps stale temp files to remove
 * @param future bodies whose use time is in the future, to be set to now
 */
record TrimPlan(
    List<Inventory.Body> bodies,
    List<Inventory.RecordFile> records,
    List<Inventory.FileInfo> temps,
    List<Inventory.Body> future) {
  /**
   * A running go may read a body this long after its last use was recorded (touches are hourly).
   */
  static final long GRACE_NANOS = TimeUnit.HOURS.toNanos(2);

  /** A temp file older than this is left by a crash. */
  static final long TEMP_AGE_NANOS = TimeUnit.HOURS.toNanos(1);

  /** Clock disagreement between processes and file systems tolerated as "now". */
  static final long SLACK_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** The output ids of {@link #bodies}. */
  Set<Key> bodyIds() {
    Set<Key> s = new HashSet<>();
    for (Inventory.Body b : bodies) {
      s.add(b.output());
    }
    return s;
  }

  static TrimPlan of(Inventory inv, TrimPolicy p, long now, long reference) {
    Set<Key> gone = new HashSet<>();
    List<Inventory.Body> remove = new ArrayList<>();
    List<Inventory.Body> future = new ArrayList<>();
    Set<Key> referenced = inv.referenced();
    long ageCut = p.maxAge().isZero() ? Long.MIN_VALUE : reference - p.maxAge().toNanos();
    List<Inventory.Body> kept = new ArrayList<>();
    for (Inventory.Body b : sortedByUse(inv.bodies())) {
      long t = b.file().mtimeNanos();
      if (t > now + SLACK_NANOS) {
        future.add(b);
      }
      if (t > now - GRACE_NANOS) {
        kept.add(b);
      } else if (t < ageCut || !referenced.contains(b.output())) {
        remove.add(b);
        gone.add(b.output());
      } else {
        kept.add(b);
      }
    }
    long total = 0;
    for (Inventory.Body b : kept) {
      total += b.file().size();
    }
    for (Inventory.Body b : kept) { // oldest first
      if (p.maxBytes() == 0 || total <= p.maxBytes()) {
        break;
      }
      if (b.file().mtimeNanos() <= now - GRACE_NANOS) {
        remove.add(b);
        gone.add(b.output());
        total -= b.file().size();
      }
    }
    return new TrimPlan(
        List.copyOf(remove), records(inv, gone, now), temps(inv, now), List.copyOf(future));
  }

  private static List<Inventory.RecordFile> records(Inventory inv, Set<Key> gone, long now) {
    Map<Key, Inventory.Body> bodies = inv.bodiesById();
    List<Inventory.RecordFile> out = new ArrayList<>();
    for (Inventory.RecordFile r : inv.records()) {
      if (r.entry().isEmpty()) {
        out.add(r);
        continue;
      }
      Key o = r.entry().get().outputId();
      boolean recent = r.file().mtimeNanos() > now - GRACE_NANOS;
      if (gone.contains(o) || (!bodies.containsKey(o) && !recent)) {
        out.add(r);
      }
    }
    return List.copyOf(out);
  }

  private static List<Inventory.FileInfo> temps(Inventory inv, long now) {
    List<Inventory.FileInfo> out = new ArrayList<>();
    for (Inventory.FileInfo f : inv.temps()) {
      if (f.mtimeNanos() < now - TEMP_AGE_NANOS) {
        out.add(f);
      }
    }
    return List.copyOf(out);
  }

  private static List<Inventory.Body> sortedByUse(List<Inventory.Body> bodies) {
    List<Inventory.Body> s = new ArrayList<>(bodies);
    s.sort((x, y) -> Long.compare(x.file().mtimeNanos(), y.file().mtimeNanos()));
    return s;
  }
}
