package dev.progcache.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class FiguresTest {
  @TempDir Path tmp;

  @Test
  void parse_scriptWithItsOwnBaseline_dividesByIt_andSkipsWrkLatency() {
    String out =
        """
        go build std, median of 1:
          go's own warm cache         800 ms
          helper, warm local dir      1600 ms
          helper, fresh dir + server  4000 ms
            Latency     8.60ms   30.90ms  161.80ms
        """;
    Figures f = Figures.parse("remote", out, OptionalDouble.empty());
    assertThat(f.rows())
        .extracting(Figures.Row::label)
        .containsExactly(
            "go's own warm cache", "helper, warm local dir", "helper, fresh dir + server");
    assertThat(f.rows().get(2).ratio()).isEqualTo(5.0);
  }

  @Test
  void parse_columnsOfBuildSh_useEachRowsDefault() {
    String out =
        """
        figure                                default    progcache    ratio
        cold go build std                     10.000s      12.000s   1.200x
        warm go build std (median)             0.500s       0.750s   1.500x
        """;
    Figures f = Figures.parse("build", out, OptionalDouble.empty());
    assertThat(f.rows()).hasSize(2);
    assertThat(f.rows().get(0).millis()).isEqualTo(12_000);
    assertThat(f.rows().get(1).ratio()).isEqualTo(1.5);
  }

  @Test
  void parse_withoutBaseline_usesTheMeasuredOne_andChartIsSvg() throws Exception {
    String out =
        "  helper, fresh dir + bucket     3000 ms\n  helper, warm local dir         1500 ms\n";
    Figures f = Figures.parse("s3", out, OptionalDouble.of(750));
    assertThat(f.rows()).extracting(Figures.Row::ratio).containsExactly(4.0, 2.0);
    Path svg = tmp.resolve("s3.svg");
    BenchReport.chart(f, svg);
    String text = Files.readString(svg);
    assertThat(text).startsWith("<?xml").contains("<svg").contains("helper, warm local dir");
  }

  @Test
  void parse_prefetchSh_readsItsSummaryLines_notTheTable() {
    String out =
        """
        warm local dir: 1199 ms (median of 3)
        delay    prefetch           ms   ÷warm  helper summary
        20ms     true             3692     3.08  remote-hits=2 prefetched=1162
        20ms     false           11997    10.01  remote-hits=752

        helper, warm local dir                           1199 ms
        fresh dir, server 20 ms away, with prefetch      3692 ms
        fresh dir, server 20 ms away, without prefetch  11997 ms
        """;
    Figures f = Figures.parse("prefetch", out, OptionalDouble.of(600));
    assertThat(f.rows())
        .extracting(Figures.Row::label)
        .containsExactly(
            "helper, warm local dir",
            "fresh dir, server 20 ms away, with prefetch",
            "fresh dir, server 20 ms away, without prefetch");
    assertThat(f.rows().get(1).millis()).isEqualTo(3692);
  }
}
