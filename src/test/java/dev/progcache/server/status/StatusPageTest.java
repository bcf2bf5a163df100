package dev.progcache.server.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class StatusPageTest {
  private static List<StatusHistory.Bucket> buckets(int n, long width, long[] last) {
    List<StatusHistory.Bucket> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new StatusHistory.Bucket(i * width, width, i == n - 1 ? last : new long[6]));
    }
    return out;
  }

  private static StatusFigures figures(
      StatusFigures.BackingState backing, List<StatusFigures.Largest> largest) {
    return new StatusFigures(
        "1.2.3",
        "ci <main>",
        Instant.parse("2026-01-01T00:00:00Z"),
        Instant.parse("2026-01-02T03:04:05Z"),
        new StatusFigures.Requests(0, 0, 0, 0, 0, 0, 0, 0, 0),
        new StatusFigures.Store(1536, 10L << 30, 1, 0),
        new StatusFigures.Rejected(1, 2, 0, 3, 0),
        List.of(new StatusFigures.Namespace("main", 1, 1536, 10L << 30, 0, 0)),
        largest,
        backing,
        buckets(StatusHistory.HOUR_BUCKETS, StatusHistory.MINUTE, new long[] {6, 2, 6, 0, 1, 1}),
        buckets(StatusHistory.DAY_BUCKETS, 10 * StatusHistory.MINUTE, new long[6]),
        null);
  }

  @Test
  void render_beforeAnyLookup_showsDashes_escapesNames_andDrawsFourCharts() {
    String html = StatusPage.render(figures(null, List.of()));
    assertThat(html).contains("id=\"hit-ratio\" data-value=\"\">—<");
    assertThat(html).contains("ci &lt;main&gt;").doesNotContain("ci <main>");
    assertThat(html).contains("up <span id=\"uptime\" data-value=\"97445\">1d 3h</span>");
    assertThat(html).contains("id=\"rejected\" data-value=\"6\"");
    assertThat(html.split("<svg", -1)).hasSize(5);
    assertThat(html)
        .contains("None: the disk is the only store.")
        .contains("None stored since start.");
    // the last minute's 6 hits of 8 lookups make one point at 75 %
    assertThat(html).contains("<circle");
  }

  @Test
  void render_withBackingAndLargest_listsThem() {
    String a = "a".repeat(64);
    String o = "b".repeat(64);
    String html =
        StatusPage.render(
            figures(
                new StatusFigures.BackingState("s3://bucket/prefix", 5, 1, 2, 0, 7, 0),
                List.of(new StatusFigures.Largest("main", a, o, 3 << 20))));
    assertThat(html).contains("s3://bucket/prefix").contains("errors seen");
    assertThat(html)
        .contains("<code title=\"" + a + "\">aaaaaaaaaaaaaaaa…</code>")
        .contains("3.00 MiB");
  }

  @Test
  void formats() {
    assertThat(StatusPage.bytes(0)).isEqualTo("0 B");
    assertThat(StatusPage.bytes(1023)).isEqualTo("1023 B");
    assertThat(StatusPage.bytes(1536)).isEqualTo("1.50 KiB");
    assertThat(StatusPage.bytes(10L << 30)).isEqualTo("10.0 GiB");
    assertThat(StatusPage.bytes(200L << 20)).isEqualTo("200 MiB");
    assertThat(StatusPage.percent(0.6)).isEqualTo("60.0 %");
    assertThat(StatusPage.percent(null)).isEqualTo("—");
    assertThat(StatusPage.duration(59)).isEqualTo("0m 59s");
    assertThat(StatusPage.duration(3 * 3600 + 120)).isEqualTo("3h 2m");
    assertThat(SvgChart.niceCeiling(0)).isEqualTo(1);
    assertThat(SvgChart.niceCeiling(3.2)).isEqualTo(5);
    assertThat(SvgChart.niceCeiling(180)).isEqualTo(200);
    assertThat(SvgChart.niceCeiling(0.021)).isEqualTo(0.025);
    assertThat(SvgChart.niceCeiling(100)).isEqualTo(100);
  }
}
