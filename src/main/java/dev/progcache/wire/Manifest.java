package dev.progcache.wire;

import dev.progcache.cache.Key;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A prefetch manifest, or one build's report for it: action ids, those go asked for first.
 *
 * <p>go looks up some of what it stores and never the rest (a cold {@code go build std} stores
 * about 1,550 entries; a cached one asks for about 1,135 of them). The ids go asked for (a get:
 * hit, or miss then built and stored) come first, {@code asked} of them; the ids it only stored
 * follow. {@code settled} says a cached build reported its asks: from then on a fresh runner
 * prefetches only the asked part and fetches the rest one by one should go ask. Until then (after a
 * cold build, which asks for less than a cached one will) everything is prefetched. In a report,
 * {@code settled} says the reporting build settles it ({@code Prefetch}: it found most of what it
 * asked for, and asked for most of what the manifest lists as asked for).
 *
 * @param ids asked ids first, no duplicates
 * @param asked how many of {@code ids}, from the start, go asked for
 */
public record Manifest(List<Key> ids, int asked, boolean settled) {
  /** No manifest: nothing to prefetch. */
  public static final Manifest NONE = new Manifest(List.of(), 0, false);

  public Manifest {
    ids = List.copyOf(ids);
    if (asked < 0 || asked > ids.size()) {
      throw new IllegalArgumentException("asked " + asked + " of " + ids.size() + " ids");
    }
  }

  /**
   * A manifest kept where asks are not (S3 shards, older servers): every id counts as asked for and
   * the manifest as settled, so all of it is prefetched and a report matters only for ids it does
   * not list.
   */
  public static Manifest allAsked(List<Key> ids) {
    return new Manifest(ids, ids.size(), true);
  }

  /** What a fresh runner prefetches: the asked part once settled, else everything. */
  public List<Key> toPrefetch() {
    return settled ? ids.subList(0, asked) : ids;
  }

  /**
   * Whether merging {@code report} into this manifest would change nothing: every id listed, every
   * asked one listed as asked, and settled already if the report settles it.
   */
  public boolean covers(Manifest report) {
    if (report.settled && !settled) {
      return false;
    }
    Set<Key> all = new HashSet<>(ids);
    Set<Key> askedHere = new HashSet<>(ids.subList(0, asked));
    for (int i = 0; i < report.ids.size(); i++) {
      Key k = report.ids.get(i);
      if (i < report.asked ? !askedHere.contains(k) : !all.contains(k)) {
        return false;
      }
    }
    return true;
  }
}
