package dev.progcache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** serve's settings: flag > PROGCACHE_SERVE_* > [serve] table > default, in the one grammar. */
@Timeout(30)
class ServeSettingsTest {
  private static Map.Entry<String, String> at(String value) {
    return Map.entry(value, "/etc/progcache/config.toml:7");
  }

  @Test
  void sizesAndDurations_takeTheHelpersGrammar() throws Exception {
    ServeConfig c =
        ServeConfig.parse(
            List.of("--dir", "/tmp/x", "--max-size", "10GiB", "--request-timeout", "1m30s"),
            Map.of());
    assertThat(c.limits().maxSize()).isEqualTo(10L << 30);
    assertThat(c.limits().requestTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(
            ServeConfig.parse(List.of("--request-timeout", "45"), Map.of())
                .limits()
                .requestTimeout())
        .as("a plain number is seconds, as before")
        .isEqualTo(Duration.ofSeconds(45));
  }

  @Test
  void flagOverEnvironmentOverFileOverDefault() throws Exception {
    Map<String, Map.Entry<String, String>> file =
        Map.of("max-size", at("3G"), "max-object", at("2M"), "lz4-min", at("8K"));
    Map<String, String> env =
        Map.of("PROGCACHE_SERVE_MAX_SIZE", "2G", "PROGCACHE_SERVE_MAX_OBJECT", "1M");
    ServeConfig c = ServeConfig.parse(List.of("--max-size", "1G"), env, file);
    assertThat(c.limits().maxSize()).isEqualTo(1L << 30);
    assertThat(c.limits().maxObject()).isEqualTo(1L << 20);
    assertThat(c.limits().lz4Min()).isEqualTo(8L << 10);
    assertThat(c.limits().maxRequests()).isEqualTo(256);
  }

  @Test
  void switches_fromEnvironmentAndFile() throws Exception {
    assertThat(
            ServeConfig.parse(List.of(), Map.of("PROGCACHE_SERVE_NO_ACCESS_LOG", "true"))
                .accessLog()
                .format())
        .isEqualTo(ServeConfig.LogFormat.OFF);
    assertThat(
            ServeConfig.parse(List.of(), Map.of(), Map.of("no-access-log", at("false")))
                .accessLog()
                .format())
        .isEqualTo(ServeConfig.LogFormat.COMMON);
    assertThat(
            ServeConfig.parse(List.of(), Map.of("PROGCACHE_SERVE_ACCESS_LOG", "json"))
                .accessLog()
                .format())
        .isEqualTo(ServeConfig.LogFormat.JSON);
    assertThatThrownBy(
            () -> ServeConfig.parse(List.of(), Map.of(), Map.of("no-access-log", at("maybe"))))
        .hasMessageContaining("config.toml:7: bad value \"maybe\" for no-access-log")
        .hasMessageContaining("expected true or false");
  }

  @Test
  void unknownKeyInTheServeTable_namesWhere() {
    assertThatThrownBy(() -> ServeConfig.parse(List.of(), Map.of(), Map.of("max-sise", at("1G"))))
        .hasMessageContaining("/etc/progcache/config.toml:7: unknown server setting max-sise");
  }

  @Test
  void badSize_saysWhatIsAccepted() {
    assertThatThrownBy(() -> ServeConfig.parse(List.of("--max-size", "huge"), Map.of()))
        .hasMessageContaining("--max-size: bad value \"huge\" for max-size")
        .hasMessageContaining("512M, 10G or 10GiB");
  }
}
