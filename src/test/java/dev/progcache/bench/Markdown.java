package dev.progcache.bench;

import java.util.OptionalDouble;

/** The text of docs/benchmarks.md. */
final class Markdown {
  private Markdown() {}

  static String header(
      String date, String loadBefore, String loadAfter, boolean quick, OptionalDouble goWarm) {
    StringBuilder b = new StringBuilder();
    b.append("# Benchmarks\n\n");
    b.append("Written by `bench/report")
        .append(quick ? " --quick" : "")
        .append("` (see [bench/README.md](../bench/README.md) for what each script measures).")
        .append(
            " Every ratio divides a time by go's default cache doing the same work in the same run;")
        .append(
            " 1.00 means as fast as go's own cache. The machine is shared: compare ratios of one run,")
        .append(" not absolute times across runs.\n\n");
    if (quick) {
      b.append(
          "**Quick mode**: one run per figure. These numbers check the report; they are not"
              + " measurements to compare.\n\n");
    }
    b.append("| | |\n|---|---|\n");
    b.append("| date (UTC) | ").append(date).append(" |\n");
    b.append("| machine | ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" cores, ")
        .append(memory())
        .append(", ")
        .append(System.getProperty("os.name"))
        .append(' ')
        .append(System.getProperty("os.arch"))
        .append(" |\n");
    b.append("| java | ")
        .append(System.getProperty("java.vm.name"))
        .append(' ')
        .append(System.getProperty("java.version"))
        .append(" |\n");
    b.append("| load average before / after | ")
        .append(loadBefore)
        .append(" / ")
        .append(loadAfter)
        .append(" |\n");
    goWarm.ifPresent(
        g ->
            b.append("| go's default cache, warm `go build std` (for scripts without their own) | ")
                .append(Math.round(g))
                .append(" ms |\n"));
    b.append('\n');
    return b.toString();
  }

  static String section(Figures f, int exit, String output, String chart) {
    StringBuilder b = new StringBuilder();
    b.append("## bench/").append(f.script()).append(".sh\n\n");
    if (exit != 0) {
      b.append("The script exited with status ")
          .append(exit)
          .append("; the figures below are those it printed before that.\n\n");
    }
    if (f.rows().isEmpty()) {
      b.append("No figures were printed.\n\n");
    } else {
      b.append("| figure | time | ÷ go's default cache |\n|---|---:|---:|\n");
      for (Figures.Row r : f.rows()) {
        b.append("| ")
            .append(r.label())
            .append(" | ")
            .append(Math.round(r.millis()))
            .append(" ms | ")
            .append(Double.isNaN(r.ratio()) ? "n/a" : BenchReport.fmt(r.ratio()))
            .append(" |\n");
      }
      b.append("\n![bench/")
          .append(f.script())
          .append(".sh ratios](")
          .append(chart)
          .append(")\n\n");
    }
    b.append("<details><summary>output</summary>\n\n```\n")
        .append(output.strip())
        .append("\n```\n\n</details>\n\n");
    return b.toString();
  }

  private static String memory() {
    try {
      for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
        if (l.startsWith("MemTotal:")) {
          long kb = Long.parseLong(l.replaceAll("[^0-9]", ""));
          return Math.round(kb / 1048576.0) + " GiB";
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      // fall through
    }
    return "memory unknown";
  }
}
