package dev.progcache.cli;

import dev.progcache.disk.TrimReport;
import java.util.Locale;

/** Human-readable sizes and trim summaries. Stateless. */
final class TrimText {
  private TrimText() {}

  /** "removed 12 bodies (3.4 MiB), 13 records, 0 temp files; 100 bodies (1.2 GiB) left". */
  static String summary(TrimReport r) {
    return summary(r, false);
  }

  /** The summary of a trim or, with {@code dryRun}, of what it would remove. */
  static String summary(TrimReport r, boolean dryRun) {
    return (dryRun ? "would remove " : "removed ")
        + r.removed().files()
        + " bodies ("
        + bytes(r.removed().bytes())
        + "), "
        + r.records()
        + " records, "
        + r.temps()
        + " temp files; "
        + r.after().files()
        + " bodies ("
        + bytes(r.after().bytes())
        + (dryRun ? ") would be left" : ") left");
  }

  /** 1536 → "1.5 KiB". */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
