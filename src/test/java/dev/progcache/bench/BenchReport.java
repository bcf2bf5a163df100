package dev.progcache.bench;

import java.awt.Color;
import java.awt.Rectangle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.svg.SVGGraphics2D;

/**
 * {@code bench/report}: runs the bench scripts one after another and writes {@code
 * docs/benchmarks.md} with a table and an SVG chart per script, every time divided by go's default
 * cache doing the same work in the same run.
 *
 * <p>Usage: {@code BenchReport [--quick] [--only build,remote,daemon,s3,edge,prefetch] [--out
 * FILE]}. Quick mode runs each script with one run (and fewer starts for daemon.sh): numbers for
 * checking the report, not for comparing. Not part of the shipped jar.
 */
public final class BenchReport {
  /** A bench script and how to run it, fully and quickly. */
  private record Script(
      String name,
      List<String> args,
      Map<String, String> env,
      List<String> quickArgs,
      Map<String, String> quickEnv) {}

  private static final List<Script> SCRIPTS =
      List.of(
          new Script("build", List.of(), Map.of(), List.of(), Map.of("RUNS", "1")),
          new Script("remote", List.of("3"), Map.of(), List.of("1"), Map.of()),
          new Script("daemon", List.of(), Map.of(), List.of(), Map.of("N", "20", "COUNT", "10")),
          new Script("s3", List.of("3"), Map.of(), List.of("1"), Map.of()),
          new Script("edge", List.of("3"), Map.of(), List.of("1"), Map.of()),
          new Script("prefetch", List.of(), Map.of(), List.of(), Map.of()));

  private BenchReport() {}

  public static void main(String[] args) throws Exception {
    boolean quick = false;
    List<String> only = new ArrayList<>();
    Path out = Path.of("docs/benchmarks.md");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--only" -> only.addAll(List.of(args[++i].split(",")));
        case "--out" -> out = Path.of(args[++i]);
        default ->
            throw new IllegalArgumentException(
                "usage: bench/report [--quick] [--only build,remote,daemon,s3,edge,prefetch] [--out FILE]; got "
                    + args[i]);
      }
    }
    Path root = Path.of("").toAbsolutePath();
    Path logs = Files.createDirectories(root.resolve("target/bench-report"));
    Path charts = Files.createDirectories(out.toAbsolutePath().getParent().resolve("benchmarks"));
    StringBuilder md = new StringBuilder();
    String started = Instant.now().truncatedTo(ChronoUnit.MINUTES).toString();
    String loadBefore = load();
    Map<String, Figures> results = new LinkedHashMap<>();
    Map<String, Integer> exits = new LinkedHashMap<>();
    Map<String, String> outputs = new LinkedHashMap<>();
    OptionalDouble goWarm = OptionalDouble.empty();
    for (Script s : SCRIPTS) {
      if (!only.isEmpty() && !only.contains(s.name())) {
        continue;
      }
      List<String> a = quick ? s.quickArgs() : s.args();
      Map<String, String> e = quick ? s.quickEnv() : s.env();
      System.err.println(
          "bench/report: running bench/" + s.name() + ".sh " + String.join(" ", a) + " " + e);
      Run r = run(root, s.name(), a, e, logs);
      exits.put(s.name(), r.exit());
      outputs.put(s.name(), r.output());
      Figures f = Figures.parse(s.name(), r.output(), OptionalDouble.empty());
      if (f.rows().stream().anyMatch(x -> Double.isNaN(x.baselineMillis()))) {
        if (goWarm.isEmpty()) {
          goWarm = OptionalDouble.of(GoBaseline.warmStdMillis(quick ? 1 : 3, logs));
        }
        f = Figures.parse(s.name(), r.output(), goWarm);
      }
      results.put(s.name(), f);
      chart(f, charts.resolve(s.name() + ".svg"));
    }
    md.append(Markdown.header(started, loadBefore, load(), quick, goWarm));
    for (Map.Entry<String, Figures> f : results.entrySet()) {
      md.append(
          Markdown.section(
              f.getValue(),
              exits.get(f.getKey()),
              outputs.get(f.getKey()),
              "benchmarks/" + f.getKey() + ".svg"));
    }
    Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
    System.err.println(
        "bench/report: wrote " + out + " and " + results.size() + " chart(s) in " + charts);
  }

  record Run(int exit, String output) {}

  private static Run run(
      Path root, String name, List<String> args, Map<String, String> env, Path logs)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(List.of("bash", root.resolve("bench/" + name + ".sh").toString()));
    cmd.addAll(args);
    Path log = logs.resolve(name + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    if (!p.waitFor(3, TimeUnit.HOURS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor();
    }
    return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  static String load() {
    try {
      String[] l = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return l[0] + " " + l[1] + " " + l[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** A horizontal bar per figure: its time divided by go's default cache's. */
  static void chart(Figures f, Path svg) throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (Figures.Row r : f.rows()) {
      if (!Double.isNaN(r.ratio())) {
        data.addValue(r.ratio(), "÷ go's default cache", r.label());
      }
    }
    JFreeChart c =
        ChartFactory.createBarChart(
            "bench/" + f.script() + ".sh: time ÷ go's default cache, same run",
            null,
            "ratio (1 = as fast as go's own cache)",
            data,
            PlotOrientation.HORIZONTAL,
            false,
            false,
            false);
    CategoryPlot plot = c.getCategoryPlot();
    plot.addRangeMarker(new ValueMarker(1.0, Color.DARK_GRAY, new java.awt.BasicStroke(1.5f)));
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    c.setBackgroundPaint(Color.WHITE);
    int h = 120 + 36 * Math.max(1, data.getColumnCount());
    SVGGraphics2D g = new SVGGraphics2D(760, h);
    c.draw(g, new Rectangle(0, 0, 760, h));
    Files.writeString(svg, g.getSVGDocument(), StandardCharsets.UTF_8);
  }

  static String fmt(double d) {
    return String.format(Locale.ROOT, "%.2f", d);
  }
}
