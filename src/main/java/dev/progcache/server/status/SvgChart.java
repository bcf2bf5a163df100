package dev.progcache.server.status;

import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * Small inline SVG charts for the status page: stacked bars or one line over equal time slots, with
 * a light grid, y labels and x labels at both ends and the middle. No script, no external resource.
 * Stateless and thread-safe.
 */
final class SvgChart {
  /** One series: its name (legend), its colour (CSS), one value per slot (NaN: no value). */
  record Series(String name, String color, double[] values) {}

  static final int WIDTH = 560;
  static final int HEIGHT = 170;
  private static final int LEFT = 46;
  private static final int RIGHT = 8;
  private static final int TOP = 10;
  private static final int BOTTOM = 22;

  private SvgChart() {}

  /**
   * Stacked bars of {@code series} (all the same length), y from 0 to a rounded maximum.
   *
   * @param xLabels labels under the first slot, the middle slot and the last slot
   */
  static String bars(
      String label, List<Series> series, String[] xLabels, DoubleFunction<String> yFormat) {
    int n = series.get(0).values().length;
    double max = 0;
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (Series s : series) {
        sum += value(s.values()[i]);
      }
      max = Math.max(max, sum);
    }
    max = niceCeiling(max);
    StringBuilder b = start(label);
    grid(b, max, yFormat);
    double slot = plotWidth() / (double) n;
    for (int i = 0; i < n; i++) {
      double base = 0;
      for (Series s : series) {
        double v = value(s.values()[i]);
        if (v > 0) {
          double y0 = y(base, max);
          double y1 = y(base + v, max);
          b.append(
              String.format(
                  Locale.ROOT,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
                  LEFT + i * slot + slot * 0.1,
                  y1,
                  Math.max(0.5, slot * 0.8),
                  Math.max(0.5, y0 - y1),
                  s.color()));
        }
        base += v;
      }
    }
    return end(b, xLabels);
  }

  /** One line of {@code s} on a fixed 0..{@code max} scale; NaN slots break the line. */
  static String line(
      String label, Series s, double max, String[] xLabels, DoubleFunction<String> yFormat) {
    StringBuilder b = start(label);
    grid(b, max, yFormat);
    int n = s.values().length;
    double slot = plotWidth() / (double) n;
    StringBuilder path = new StringBuilder();
    boolean pen = false;
    for (int i = 0; i < n; i++) {
      double v = s.values()[i];
      if (Double.isNaN(v)) {
        pen = false;
        continue;
      }
      double x = LEFT + (i + 0.5) * slot;
      double y = y(Math.min(v, max), max);
      path.append(String.format(Locale.ROOT, "%s%.1f %.1f ", pen ? "L" : "M", x, y));
      b.append(
          String.format(
              Locale.ROOT,
              "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\" fill=\"%s\"/>",
              x,
              y,
              s.color()));
      pen = true;
    }
    if (!path.isEmpty()) {
      b.append("<path d=\"")
          .append(path.toString().strip())
          .append("\" fill=\"none\" stroke=\"")
          .append(s.color())
          .append("\" stroke-width=\"1.8\" stroke-linejoin=\"round\"/>");
    }
    return end(b, xLabels);
  }

  private static StringBuilder start(String label) {
    StringBuilder b = new StringBuilder(4096);
    b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(HEIGHT)
        .append("\" role=\"img\" aria-label=\"")
        .append(StatusPage.escape(label))
        .append("\">")
        .append("<title>")
        .append(StatusPage.escape(label))
        .append("</title>");
    return b;
  }

  private static void grid(StringBuilder b, double max, DoubleFunction<String> yFormat) {
    for (int k = 0; k <= 4; k++) {
      double v = max * k / 4;
      double y = y(v, max);
      b.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\"/>",
              LEFT,
              y,
              WIDTH - RIGHT,
              y,
              k == 0 ? "#9aa5b1" : "#e4e7eb"));
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"tick\">%s</text>",
              LEFT - 6,
              y + 4,
              StatusPage.escape(yFormat.apply(v))));
    }
  }

  private static String end(StringBuilder b, String[] xLabels) {
    int y = HEIGHT - 6;
    String[] anchor = {"start", "middle", "end"};
    double[] x = {LEFT, LEFT + plotWidth() / 2.0, WIDTH - RIGHT};
    for (int i = 0; i < Math.min(3, xLabels.length); i++) {
      b.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\" class=\"tick\">%s</text>",
              x[i],
              y,
              anchor[i],
              StatusPage.escape(xLabels[i])));
    }
    return b.append("</svg>").toString();
  }

  private static int plotWidth() {
    return WIDTH - LEFT - RIGHT;
  }

  private static double y(double v, double max) {
    double h = HEIGHT - TOP - BOTTOM;
    return TOP + h - (max <= 0 ? 0 : v / max * h);
  }

  private static double value(double v) {
    return Double.isNaN(v) || v < 0 ? 0 : v;
  }

  /** The smallest of 1, 2, 2.5, 5 times a power of ten that is at least {@code v} (1 for 0). */
  static double niceCeiling(double v) {
    if (v <= 0) {
      return 1;
    }
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v * (1 - 1e-9)) {
        return m * p;
      }
    }
    return 10 * p;
  }
}
