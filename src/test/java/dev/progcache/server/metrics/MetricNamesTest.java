package dev.progcache.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Metric;
import dev.progcache.modproxy.ModProxy;
import dev.progcache.remote.RemoteCounter;
import dev.progcache.server.store.ServerStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MetricNamesTest {
  @Test
  void everyFamily_hasDistinctKeysAndLabels() {
    for (List<? extends Metric> family :
        List.of(
            Arrays.asList(RemoteCounter.values()),
            Arrays.asList(RequestCounter.values()),
            ModProxy.OUTCOMES)) {
      assertThat(family.stream().map(Metric::key)).doesNotHaveDuplicates();
      assertThat(family.stream().map(Metric::help)).allMatch(h -> !h.isBlank());
    }
    assertThat(RemoteCounter.UPSTREAM.stream().map(Metric::label)).doesNotHaveDuplicates();
    assertThat(ModProxy.OUTCOMES.stream().map(Metric::label)).doesNotHaveDuplicates();
  }

  @Test
  void scrape_namesEveryRequestCounter_withItsRouteAndOutcome(@TempDir Path dir) throws Exception {
    ServerStore store = ServerStore.open(dir, 1 << 20);
    {
      ServerMetrics m = new ServerMetrics(store);
      m.count(RequestCounter.PUT_TOO_LARGE);
      String text = m.scrape();
      for (RequestCounter c : RequestCounter.values()) {
        assertThat(text)
            .contains(
                "progcache_requests_total{outcome=\""
                    + c.label()
                    + "\",route=\""
                    + c.route()
                    + "\"}");
      }
      assertThat(text)
          .contains("progcache_requests_total{outcome=\"too_large\",route=\"put\"} 1.0");
      assertThat(m.get(RequestCounter.PUT_TOO_LARGE)).isEqualTo(1);
      m.close();
    }
  }
}
