package dev.progcache.server.status;

import dev.progcache.modproxy.ModProxy;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * {@link StatusFigures} as a self-contained HTML page: inline CSS, inline SVG charts, no script and
 * no external resource, readable in any browser or text browser. Figures a program may want to
 * check carry their exact value in a {@code data-value} attribute. Stateless and thread-safe.
 */
final class StatusPage {
  private static final DateTimeFormatter HM =
      DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
  private static final String HIT = "#2f855a";
  private static final String MISS = "#dd8a1e";
  private static final String UPLOAD = "#2b6cb0";
  private static final String REJECT = "#c53030";

  private StatusPage() {}

  static String render(StatusFigures f) {
    return render(f, false);
  }

  /** The page; with a sign-out button when {@code signedIn} (a browser session, not a header). */
  static String render(StatusFigures f, boolean signedIn) {
    StringBuilder b = new StringBuilder(32_768);
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<meta http-equiv=\"refresh\" content=\"60\">")
        .append("<link rel=\"icon\" href=\"data:,\">")
        .append("<title>progcache serve: status</title><style>")
        .append(CSS)
        .append("</style></head><body>\n");
    b.append("<header><h1>progcache serve</h1><p class=\"meta\">version <span id=\"version\">")
        .append(escape(f.version()))
        .append("</span> · up <span id=\"uptime\" data-value=\"")
        .append(f.uptimeSeconds())
        .append("\">")
        .append(duration(f.uptimeSeconds()))
        .append("</span> (since ")
        .append(f.started().toString().replaceFirst("\\.\\d+Z$", "Z"))
        .append(") · as ")
        .append(escape(f.principal()))
        .append("</p>");
    if (signedIn) {
      b.append("<form method=\"post\" action=\"signout\"><button type=\"submit\" id=\"sign-out\">")
          .append("Sign out</button></form>");
    }
    b.append("</header>\n<main>\n");
    cards(b, f);
    charts(b, "Last hour", "per minute", f.hour(), "minute");
    charts(b, "Last day", "per 10 minutes", f.day(), "10 min");
    namespaces(b, f.namespaces());
    rejected(b, f);
    largest(b, f.largest());
    backing(b, f.backing());
    modules(b, f.modules());
    b.append(
            "</main><footer>Times in UTC. The same figures: <a href=\"status.json\">status.json</a>;")
        .append(
            " Prometheus: <a href=\"metrics\">metrics</a>. This page reloads every minute.</footer>\n")
        .append("</body></html>\n");
    return b.toString();
  }

  private static void cards(StringBuilder b, StatusFigures f) {
    StatusFigures.Requests q = f.requests();
    StatusFigures.Store s = f.store();
    b.append("<section class=\"cards\">");
    card(
        b,
        "hit-ratio",
        "Hit ratio",
        value(q.hitRatio()),
        percent(q.hitRatio()),
        grouped(q.hits())
            + " hits of "
            + grouped(q.hits() + q.actionMisses())
            + " lookups, "
            + grouped(q.batchHits())
            + " through prefetch");
    StatusHistory.Bucket last = f.hour().getLast();
    double perSecond = f.hour().stream().mapToLong(StatusHistory.Bucket::requests).sum() / 3600.0;
    card(
        b,
        "requests-per-second",
        "Requests/s",
        String.format(Locale.ROOT, "%.3f", perSecond),
        rate(perSecond),
        "last hour's average; " + grouped(last.requests()) + " this minute");
    double used = s.limitBytes() == 0 ? 0 : Math.min(1, (double) s.bytes() / s.limitBytes());
    b.append(
            "<div class=\"card\"><div class=\"label\">Stored</div><div class=\"big\" id=\"bytes\" data-value=\"")
        .append(s.bytes())
        .append("\">")
        .append(bytes(s.bytes()))
        .append("</div><div class=\"bar\"><span style=\"width:")
        .append(String.format(Locale.ROOT, "%.1f", used * 100))
        .append("%\"></span></div><div class=\"note\">of ")
        .append("<span id=\"limit\" data-value=\"")
        .append(s.limitBytes())
        .append("\">")
        .append(bytes(s.limitBytes()))
        .append("</span> limit (")
        .append(String.format(Locale.ROOT, "%.1f %%", used * 100))
        .append(")</div></div>");
    card(
        b,
        "entries",
        "Entries",
        Long.toString(s.entries()),
        grouped(s.entries()),
        "objects in main");
    card(
        b,
        "evictions",
        "Evictions",
        Long.toString(s.evictions()),
        grouped(s.evictions()),
        "since start");
    card(
        b,
        "uploads",
        "Uploads",
        Long.toString(q.uploads()),
        grouped(q.uploads()),
        bytes(q.uploadedBytes()) + " stored");
    card(
        b,
        "rejected",
        "Rejected PUTs",
        Long.toString(f.rejected().total()),
        grouped(f.rejected().total()),
        "integrity, size, token");
    b.append("</section>\n");
  }

  private static void card(
      StringBuilder b, String id, String label, String raw, String shown, String note) {
    b.append("<div class=\"card\"><div class=\"label\">")
        .append(label)
        .append("</div><div class=\"big\" id=\"")
        .append(id)
        .append("\" data-value=\"")
        .append(escape(raw))
        .append("\">")
        .append(escape(shown))
        .append("</div><div class=\"note\">")
        .append(escape(note))
        .append("</div></div>");
  }

  private static void charts(
      StringBuilder b, String title, String per, List<StatusHistory.Bucket> buckets, String unit) {
    double seconds = buckets.getFirst().widthMillis() / 1000.0;
    String[] x = {
      HM.format(java.time.Instant.ofEpochMilli(buckets.getFirst().start())),
      HM.format(java.time.Instant.ofEpochMilli(buckets.get(buckets.size() / 2).start())),
      "now"
    };
    double[] ratio =
        series(
            buckets,
            bk -> {
              Double r =
                  StatusFigures.ratio(
                      bk.get(StatusHistory.Field.ACTION_HIT),
                      bk.get(StatusHistory.Field.ACTION_MISS));
              return r == null ? Double.NaN : r * 100;
            });
    List<SvgChart.Series> rates = new ArrayList<>();
    rates.add(
        new SvgChart.Series(
            "hits",
            HIT,
            series(
                buckets,
                bk ->
                    (bk.get(StatusHistory.Field.ACTION_HIT)
                            + bk.get(StatusHistory.Field.OUTPUT_HIT))
                        / seconds)));
    rates.add(
        new SvgChart.Series(
            "misses",
            MISS,
            series(
                buckets,
                bk ->
                    (bk.get(StatusHistory.Field.ACTION_MISS)
                            + bk.get(StatusHistory.Field.OUTPUT_MISS))
                        / seconds)));
    rates.add(
        new SvgChart.Series(
            "uploads",
            UPLOAD,
            series(buckets, bk -> bk.get(StatusHistory.Field.PUT_OK) / seconds)));
    rates.add(
        new SvgChart.Series(
            "rejected",
            REJECT,
            series(buckets, bk -> bk.get(StatusHistory.Field.REJECTED) / seconds)));
    b.append("<section><h2>")
        .append(title)
        .append(" <small>")
        .append(per)
        .append("</small></h2><div class=\"charts\">");
    b.append("<figure><figcaption>Hit ratio of action lookups</figcaption>")
        .append(
            SvgChart.line(
                title + ": hit ratio per " + unit,
                new SvgChart.Series("hit ratio", HIT, ratio),
                100,
                x,
                v -> String.format(Locale.ROOT, "%.0f%%", v)))
        .append("</figure>");
    b.append("<figure><figcaption>Requests/s ");
    for (SvgChart.Series s : rates) {
      b.append("<span class=\"key\"><i style=\"background:")
          .append(s.color())
          .append("\"></i>")
          .append(s.name())
          .append("</span>");
    }
    b.append("</figcaption>")
        .append(
            SvgChart.bars(title + ": requests per second per " + unit, rates, x, StatusPage::tick))
        .append("</figure></div></section>\n");
  }

  private static double[] series(
      List<StatusHistory.Bucket> buckets, ToDoubleFunction<StatusHistory.Bucket> f) {
    return buckets.stream().mapToDouble(f).toArray();
  }

  private static void namespaces(StringBuilder b, List<StatusFigures.Namespace> all) {
    b.append("<section><h2>Namespaces</h2><table id=\"namespaces\"><thead><tr><th>namespace</th>")
        .append("<th class=\"n\">entries</th><th class=\"n\">bytes</th><th class=\"n\">limit</th>")
        .append("<th class=\"n\">lookups</th><th class=\"n\">hit ratio</th></tr></thead><tbody>");
    for (StatusFigures.Namespace n : all) {
      b.append("<tr data-namespace=\"")
          .append(escape(n.name()))
          .append("\"><td>")
          .append(escape(n.name()))
          .append("</td><td class=\"n\" data-value=\"")
          .append(n.entries())
          .append("\">")
          .append(grouped(n.entries()))
          .append("</td><td class=\"n\" data-value=\"")
          .append(n.bytes())
          .append("\">")
          .append(bytes(n.bytes()))
          .append("</td><td class=\"n\">")
          .append(bytes(n.limitBytes()))
          .append("</td><td class=\"n\">")
          .append(grouped(n.hits() + n.misses()))
          .append("</td><td class=\"n\" data-value=\"")
          .append(value(n.hitRatio()))
          .append("\">")
          .append(percent(n.hitRatio()))
          .append("</td></tr>");
    }
    b.append("</tbody></table><p class=\"note\">A hit counts in the namespace that answered it")
        .append(
            " (also for a namespace reading through to it, as pr-1 to main), a miss in the first")
        .append(" namespace asked that exists.</p></section>\n");
  }

  private static void rejected(StringBuilder b, StatusFigures f) {
    StatusFigures.Rejected r = f.rejected();
    b.append(
        "<section class=\"split\"><div><h2>Rejected PUTs</h2><table id=\"rejected-puts\"><tbody>");
    row(b, "integrity (sha256 or size disagree, 400)", r.integrity());
    row(b, "over the object limit (413)", r.size());
    row(b, "no Content-Length (411)", r.noLength());
    row(b, "token missing, unknown or without the grant (401, 403)", r.auth());
    row(b, "backing store did not take it (503)", r.backing());
    b.append("</tbody></table></div><div><h2>Traffic since start</h2><table><tbody>");
    StatusFigures.Requests q = f.requests();
    row(b, "action hits", q.actionHits());
    row(b, "action misses", q.actionMisses());
    row(b, "prefetch (batch) hits", q.batchHits());
    row(b, "prefetch (batch) ids not found", q.batchMisses());
    row(b, "output hits", q.outputHits());
    row(b, "output misses", q.outputMisses());
    b.append("<tr><td>bytes served</td><td class=\"n\">")
        .append(bytes(q.servedBytes()))
        .append("</td></tr>");
    b.append("</tbody></table></div></section>\n");
  }

  private static void row(StringBuilder b, String what, long n) {
    b.append("<tr><td>")
        .append(escape(what))
        .append("</td><td class=\"n\">")
        .append(grouped(n))
        .append("</td></tr>");
  }

  private static void largest(StringBuilder b, List<StatusFigures.Largest> all) {
    b.append("<section><h2>Largest entries <small>stored since start, top ")
        .append(Status.TOP)
        .append("</small></h2>");
    if (all.isEmpty()) {
      b.append("<p class=\"note\">None stored since start.</p></section>\n");
      return;
    }
    b.append("<table id=\"largest\"><thead><tr><th>namespace</th><th>action</th><th>output</th>")
        .append("<th class=\"n\">size</th></tr></thead><tbody>");
    for (StatusFigures.Largest l : all) {
      b.append("<tr><td>")
          .append(escape(l.namespace()))
          .append("</td><td><code title=\"")
          .append(l.action())
          .append("\">")
          .append(l.action(), 0, 16)
          .append("…</code></td><td><code title=\"")
          .append(l.output())
          .append("\">")
          .append(l.output(), 0, 16)
          .append("…</code></td><td class=\"n\">")
          .append(bytes(l.bytes()))
          .append("</td></tr>");
    }
    b.append("</tbody></table></section>\n");
  }

  private static void backing(StringBuilder b, StatusFigures.@Nullable BackingState s) {
    b.append("<section><h2>Backing store</h2>");
    if (s == null) {
      b.append("<p id=\"backing\">None: the disk is the only store.</p></section>\n");
      return;
    }
    String state = s.errors() + s.uploadErrors() == 0 ? "ok" : "errors seen";
    b.append("<p id=\"backing\"><code>")
        .append(escape(s.location()))
        .append("</code> · <span class=\"")
        .append(state.equals("ok") ? "ok" : "warn")
        .append("\">")
        .append(state)
        .append("</span></p><table><tbody>");
    row(b, "reads that hit", s.hits());
    row(b, "reads that missed", s.misses());
    row(b, "read errors", s.errors());
    row(b, "corrupt objects", s.corrupt());
    row(b, "uploads", s.uploads());
    row(b, "upload errors", s.uploadErrors());
    b.append("</tbody></table></section>\n");
  }

  private static void modules(StringBuilder b, ModProxy.@Nullable Summary m) {
    if (m == null) {
      return; // off, or this token may not download modules
    }
    b.append(
            "<section><h2>Module proxy <small>/mod/ since start</small></h2><p id=\"modules\">from <code>")
        .append(escape(m.upstreams()))
        .append("</code> · ")
        .append(m.files())
        .append(" files, ")
        .append(m.bytes() >> 20)
        .append(" of ")
        .append(m.limitBytes() >> 20)
        .append(" MiB</p><table><tbody>");
    row(b, "served from this server", m.hits());
    row(b, "fetched from upstream", m.misses());
    row(b, "from the shared bucket", m.sharedHits());
    row(b, "upstream errors", m.upstreamErrors());
    row(b, "lists served stale", m.staleLists());
    row(b, "bytes served", m.bytesServed());
    b.append("</tbody></table></section>\n");
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  static String value(@Nullable Double ratio) {
    return ratio == null ? "" : Double.toString(ratio);
  }

  /** A ratio as a percentage with one decimal, or an em dash before the first lookup. */
  static String percent(@Nullable Double ratio) {
    return ratio == null ? "—" : String.format(Locale.ROOT, "%.1f %%", ratio * 100);
  }

  static String grouped(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String rate(double perSecond) {
    return perSecond >= 100
        ? String.format(Locale.ROOT, "%,.0f", perSecond)
        : String.format(Locale.ROOT, "%.2f", perSecond);
  }

  private static String tick(double v) {
    return v == 0
        ? "0"
        : v >= 10 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2g", v);
  }

  /** Bytes in binary units with three significant digits: {@code 512 B}, {@code 1.50 MiB}. */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    String f = v >= 100 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s";
    return String.format(Locale.ROOT, f, v, units[u]);
  }

  static String duration(long seconds) {
    long d = seconds / 86_400;
    long h = seconds % 86_400 / 3600;
    long m = seconds % 3600 / 60;
    if (d > 0) {
      return d + "d " + h + "h";
    }
    return h > 0 ? h + "h " + m + "m" : m + "m " + seconds % 60 + "s";
  }

  private static final String CSS =
      """
      :root{color-scheme:light;--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--bg:#f5f7fa}
      *{box-sizing:border-box}
      body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
      header{background:#1f2933;color:#fff;padding:14px 24px}
      header h1{margin:0;font-size:20px;font-weight:600}
      header .meta{margin:2px 0 0;color:#cbd2d9;font-size:13px}
      main{max-width:1200px;margin:0 auto;padding:16px 24px}
      section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:0 0 16px}
      h2{font-size:16px;margin:0 0 10px;font-weight:600}
      h2 small{color:var(--muted);font-weight:400;font-size:13px}
      .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;background:none;border:0;padding:0}
      .card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 14px}
      .card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
      .card .big{font-size:24px;font-weight:600;margin:2px 0;font-variant-numeric:tabular-nums;white-space:nowrap}
      .note{color:var(--muted);font-size:12px;margin:4px 0 0}
      .bar{height:6px;background:var(--line);border-radius:3px;overflow:hidden;margin:6px 0 2px}
      .bar span{display:block;height:100%;background:#2b6cb0}
      .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:16px}
      figure{margin:0}
      figcaption{font-size:13px;color:var(--muted);margin-bottom:4px}
      .key{margin-left:10px;white-space:nowrap}
      .key i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
      svg.chart{width:100%;height:auto;display:block}
      svg .tick{font-size:11px;fill:#616e7c}
      table{border-collapse:collapse;width:100%}
      th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line)}
      th{font-size:12px;color:var(--muted);font-weight:600}
      td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
      code{font:12px ui-monospace,"DejaVu Sans Mono",monospace}
      .split{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:24px}
      .ok{color:#2f855a;font-weight:600}.warn{color:#c53030;font-weight:600}
      footer{max-width:1200px;margin:0 auto;padding:0 24px 24px;color:var(--muted);font-size:12px}
      a{color:#2b6cb0}
      """;
}
