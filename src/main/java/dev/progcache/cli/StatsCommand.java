package dev.progcache.cli;

import dev.progcache.cache.Stats;
import dev.progcache.config.Setting;
import dev.progcache.disk.DiskStore;
import dev.progcache.disk.Inventory;
import dev.progcache.disk.SessionLog;
import dev.progcache.disk.Trimmer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/** {@code progcache stats}: what the cache holds, how old it is, and how well it hits. */
final class StatsCommand implements Admin.Command {
  /** Upper bounds of the age histogram's buckets (the last one is open). */
  static final List<Duration> BUCKETS =
      List.of(Duration.ofHours(1), Duration.ofDays(1), Duration.ofDays(5), Duration.ofDays(30));

  static final int SESSIONS = 100;

  @Override
  public String name() {
    return "stats";
  }

  @Override
  public String usage() {
    return """
    usage: progcache stats [--dir DIR]

    Prints the number of entries and bodies, their total size, how long ago the bodies were
    last used (use times are refreshed at most hourly), when the cache was last trimmed, and
    the hit ratio of the last 100 helper sessions (from sessions.log in the cache directory).
    """;
  }

  @Override
  public java.util.List<Setting<?>> settings() {
    return java.util.List.of(HelperConfig.DIR, HelperConfig.MAX_SIZE, HelperConfig.MAX_AGE);
  }

  @Override
  public int run(Admin.Invocation inv) throws ConfigException, IOException {
    Path dir = inv.existingDir();
    long now = inv.ctx().nowNanos().getAsLong();
    DiskStore store = DiskStore.open(dir, inv.ctx().nowNanos(), new Stats());
    Inventory in = Inventory.of(store);
    PrintStream out = inv.ctx().out();
    out.println("cache directory  " + dir);
    out.println(
        "entries          "
            + (in.records().size() + in.packed().size())
            + " records"
            + (in.packed().isEmpty() ? "" : " (" + in.packed().size() + " packed)")
            + ", "
            + in.bodies().size()
            + " bodies, "
            + TrimText.bytes(in.bodyBytes()));
    OptionalLong last = new Trimmer(store, inv.ctx().nowNanos()).lastTrim();
    out.println(
        "last trim        "
            + (last.isPresent()
                ? Instant.ofEpochSecond(last.getAsLong() / 1_000_000_000L) + ""
                : "never")
            + " (limits: "
            + inv.cfg().config().value(HelperConfig.MAX_SIZE).shown()
            + ", unused "
            + inv.cfg().config().value(HelperConfig.MAX_AGE).shown()
            + ")");
    histogram(in, now, out);
    sessions(SessionLog.recent(dir, SESSIONS), out);
    return 0;
  }

  private static void histogram(Inventory in, long now, PrintStream out) {
    long[] files = new long[BUCKETS.size() + 1];
    long[] bytes = new long[BUCKETS.size() + 1];
    for (Inventory.Body b : in.bodies()) {
      long age = now - b.file().mtimeNanos();
      int i = 0;
      while (i < BUCKETS.size() && age >= BUCKETS.get(i).toNanos()) {
        i++;
      }
      files[i]++;
      bytes[i] += b.file().size();
    }
    out.println("last used        bodies      size");
    String[] labels = {"< 1 hour", "< 1 day", "< 5 days", "< 30 days", ">= 30 days"};
    for (int i = 0; i < files.length; i++) {
      out.println(
          String.format(
              Locale.ROOT, "  %-14s %7d %11s", labels[i], files[i], TrimText.bytes(bytes[i])));
    }
  }

  private static void sessions(List<SessionLog.Session> s, PrintStream out) {
    if (s.isEmpty()) {
      out.println("recent sessions  none recorded");
      return;
    }
    long gets = 0;
    long hits = 0;
    long puts = 0;
    long written = 0;
    for (SessionLog.Session x : s) {
      gets += x.get("gets");
      hits += x.get("hits");
      puts += x.get("puts");
      written += x.get("bytes-in");
    }
    double ratio = gets == 0 ? 0 : 100.0 * hits / gets;
    out.println(
        String.format(
            Locale.ROOT,
            "recent sessions  %d: %d gets, %d hits (%.1f %%), %d puts (%s written)",
            s.size(),
            gets,
            hits,
            ratio,
            puts,
            TrimText.bytes(written)));
    long prefetched = 0;
    long used = 0;
    long wasted = 0;
    for (SessionLog.Session x : s) {
      prefetched += x.get("prefetched");
      used += x.get("prefetch-used");
      wasted += x.get("prefetch-wasted-bytes");
    }
    if (prefetched > 0) {
      out.println(
          String.format(
              Locale.ROOT,
              "prefetch         %d entries prefetched, %d used, %s wasted",
              prefetched,
              used,
              TrimText.bytes(wasted)));
    }
  }
}
