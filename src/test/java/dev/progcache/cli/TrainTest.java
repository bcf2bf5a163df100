package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.server.CacheServer;
import dev.progcache.server.ServeConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The AOT training run against a real server on loopback, as the build scripts run it. */
@Timeout(120)
class TrainTest {
  @TempDir Path tmp;

  @Test
  void uploadOnly_fillsTheServer_thenTheTrainingReadsItBackByManifestAndBatch() throws Exception {
    ServeConfig.Limits limits =
        new ServeConfig.Limits(1 << 30, 64 << 20, 64, Duration.ofSeconds(10), 8192, 4096);
    PrintStream log = new PrintStream(new ByteArrayOutputStream());
    try (CacheServer server =
            CacheServer.start(
                ServeConfig.onDisk("127.0.0.1", 0, tmp.resolve("srv"), null, limits, false), log);
        HttpClient http = HttpClient.newHttpClient()) {
      String url = server.url().toString();
      assertThat(Train.run(List.of("--remote", url, "--upload-only"))).isZero();
      String filled = scrape(http, server.url());
      assertThat(metric(filled, "progcache_store_objects")).isGreaterThan(100);
      assertThat(metric(filled, "progcache_requests_total{outcome=\"merged\",route=\"manifest\"}"))
          .isEqualTo(1);
      assertThat(metric(filled, "progcache_requests_total{outcome=\"hit\",route=\"batch\"}"))
          .isZero();

      assertThat(Train.run(List.of("1", "--remote", url))).isZero();
      String read = scrape(http, server.url());
      assertThat(metric(read, "progcache_requests_total{outcome=\"hit\",route=\"manifest\"}"))
          .isEqualTo(1);
      assertThat(metric(read, "progcache_requests_total{outcome=\"hit\",route=\"batch\"}"))
          .isGreaterThan(0);
    }
  }

  @Test
  void aBadArgument_isAConfigError() {
    assertThatThrownBy(() -> Train.run(List.of("many")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("usage");
  }

  @Test
  void nthLine_isTheOffsetPastThatNewline() {
    byte[] b = "a\nbb\nccc\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(Train.nthLine(b, 1)).isEqualTo(2);
    assertThat(Train.nthLine(b, 3)).isEqualTo(b.length);
    assertThat(Train.nthLine(b, 9)).isEqualTo(b.length);
  }

  private static String scrape(HttpClient http, URI base) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(base.resolve("/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** The value of the sample named exactly {@code name} (with its labels), 0 when absent. */
  private static double metric(String text, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
