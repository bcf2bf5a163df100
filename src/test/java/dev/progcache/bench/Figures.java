package dev.progcache.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The timings a bench script printed, read from its output: each a label, milliseconds, and the
 * milliseconds of go's default cache doing the same work in the same run (its baseline).
 *
 * <p>Scripts print either a baseline line of their own ({@code go's own warm cache}, {@code default
 * GOCACHE}), or, like bench/build.sh, a default and a progcache column per row. A script that
 * prints neither gets the baseline the report measured itself. Immutable.
 */
record Figures(String script, List<Row> rows) {
  /** One timing and its baseline. */
  record Row(String label, double millis, double baselineMillis) {
    double ratio() {
      return millis / baselineMillis;
    }
  }

  // "label   12.3 ms" or "label   1.234s" (two or more spaces between label and number)
  private static final Pattern TIMING =
      Pattern.compile("(?m)^\\s*([A-Za-z][^\\n]*?)\\s{2,}([0-9]+(?:\\.[0-9]+)?)\\s*(ms|s)\\b");
  // bench/build.sh: "label   DEFAULTs   PROGCACHEs   RATIOx"
  private static final Pattern COLUMNS =
      Pattern.compile(
          "(?m)^([A-Za-z][^\\n]*?)\\s{2,}([0-9]+(?:\\.[0-9]+)?)s\\s+([0-9]+(?:\\.[0-9]+)?)s\\s+[0-9.]+x\\s*$");
  private static final Pattern BASELINE = Pattern.compile("go's own warm cache|default GOCACHE");
  // wrk's latency table (bench/remote.sh) is not a build time
  private static final Pattern IGNORED = Pattern.compile("^(Latency|Req/Sec|Thread)");

  /**
   * Reads the figures of {@code script}'s {@code output}; {@code measured} is the baseline for
   * scripts that print none.
   */
  static Figures parse(String script, String output, OptionalDouble measured) {
    List<Row> rows = new ArrayList<>();
    Matcher c = COLUMNS.matcher(output);
    while (c.find()) {
      rows.add(new Row(c.group(1).strip(), seconds(c.group(3)), seconds(c.group(2))));
    }
    if (!rows.isEmpty()) {
      return new Figures(script, List.copyOf(rows));
    }
    List<String[]> found = new ArrayList<>();
    double baseline = Double.NaN;
    Matcher m = TIMING.matcher(output);
    while (m.find()) {
      String label = m.group(1).strip();
      if (IGNORED.matcher(label).find()) {
        continue;
      }
      double ms = Double.parseDouble(m.group(2)) * (m.group(3).equals("s") ? 1000 : 1);
      if (BASELINE.matcher(label).find()) {
        baseline = ms;
      }
      found.add(new String[] {label, Double.toString(ms)});
    }
    if (Double.isNaN(baseline)) {
      baseline = measured.orElse(Double.NaN);
    }
    for (String[] f : found) {
      rows.add(new Row(f[0], Double.parseDouble(f[1]), baseline));
    }
    return new Figures(script, List.copyOf(rows));
  }

  private static double seconds(String s) {
    return Double.parseDouble(s) * 1000;
  }
}
