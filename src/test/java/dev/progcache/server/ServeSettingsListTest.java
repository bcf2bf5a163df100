package dev.progcache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.config.Config;
import dev.progcache.config.Setting;
import dev.progcache.modproxy.ModProxySettings;
import dev.progcache.remote.BestEffort;
import dev.progcache.server.auth.OidcSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every serve setting comes from the one list, {@link ServeSettings#SETTINGS}: each has a flag, a
 * variable and a [serve] key that work, in that order of precedence; every size and duration takes
 * every form of the one grammar; the usage names every setting with its default.
 */
@Timeout(30)
class ServeSettingsListTest {
  private static final String LINE = "/etc/progcache/config.toml:4";

  /** Three different good values of {@code s}, by the word its usage shows for the value. */
  private static List<String> samples(Setting<?> s) {
    return switch (s.type().placeholder()) {
      case "SIZE" -> List.of("1K", "2M", "3G");
      case "D" -> List.of("500ms", "30s", "5m");
      case "N" -> List.of("1", "2", "3");
      case "HOST:PORT" -> List.of("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3");
      case "[HOST:]PORT" -> List.of("9091", "127.0.0.1:9092", "[::1]:9093");
      case "F" -> List.of("common", "json", "off");
      case "DIR", "FILE" -> List.of("/srv/a", "/srv/b", "/srv/c");
      case "URL", "UPSTREAMS" -> List.of("https://a.test/", "https://b.test/", "https://c.test/");
      case "s3://BUCKET[/PREFIX]" -> List.of("s3://bucket-a/p", "s3://bucket-b/p", "s3://bucket-c");
      default -> List.of("one", "two", "three");
    };
  }

  private static Config resolve(
      List<String> args, Map<String, String> env, Map<String, Map.Entry<String, String>> file)
      throws ServeException {
    return ServeLayers.resolve(args, env, file);
  }

  @Test
  void everySetting_flagOverEnvironmentOverFile_fromTheOneList() throws Exception {
    for (Setting<?> s : ServeSettings.SETTINGS) {
      if (!s.outsideEnvironment() || s.type().isSwitch()) {
        continue;
      }
      List<String> v = samples(s);
      Map<String, Map.Entry<String, String>> file = Map.of(s.key(), Map.entry(v.get(0), LINE));
      Map<String, String> env = Map.of(s.env(), v.get(1));
      Config.Value fromFile = resolve(List.of(), Map.of(), file).value(s);
      assertThat(fromFile.source()).as("%s from the file", s.key()).isEqualTo(Config.Source.FILE);
      assertThat(fromFile.origin()).isEqualTo(LINE);
      Config.Value fromEnv = resolve(List.of(), env, file).value(s);
      assertThat(fromEnv.source()).as("%s from %s", s.key(), s.env()).isEqualTo(Config.Source.ENV);
      assertThat(fromEnv.raw()).isEqualTo(v.get(1));
      Config.Value fromFlag = resolve(List.of(s.flag() + "=" + v.get(2)), env, file).value(s);
      assertThat(fromFlag.source()).as("%s", s.flag()).isEqualTo(Config.Source.FLAG);
      assertThat(fromFlag.raw()).isEqualTo(v.get(2));
      assertThat(fromFlag.value()).isNotEqualTo(fromEnv.value()).isNotEqualTo(fromFile.value());
    }
  }

  @Test
  void everySwitch_isABareFlag_trueInTheEnvironment_falseInTheFile() throws Exception {
    int switches = 0;
    for (Setting<?> s : ServeSettings.SETTINGS) {
      if (!s.type().isSwitch()) {
        continue;
      }
      switches++;
      assertThat(resolve(List.of(s.flag()), Map.of(), Map.of()).value(s).value().orElseThrow())
          .isEqualTo(true);
      assertThat(
              resolve(List.of(), Map.of(s.env(), "yes"), Map.of()).value(s).value().orElseThrow())
          .isEqualTo(true);
      assertThat(
              resolve(List.of(), Map.of(s.env(), "off"), Map.of(s.key(), Map.entry("true", LINE)))
                  .value(s)
                  .value()
                  .orElseThrow())
          .as("the environment wins over the file for %s", s.key())
          .isEqualTo(false);
    }
    assertThat(switches).isEqualTo(5);
  }

  /**
   * Checks every form in {@code forms} on every setting whose value is a {@code placeholder}, from
   * the environment or the file; returns the keys of those settings.
   */
  private static List<String> everyForm(String placeholder, Map<String, ?> forms, boolean fromEnv)
      throws ServeException {
    List<String> checked = new ArrayList<>();
    for (Setting<?> s : ServeSettings.SETTINGS) {
      if (!s.type().placeholder().equals(placeholder)) {
        continue;
      }
      checked.add(s.key());
      for (Map.Entry<String, ?> f : forms.entrySet()) {
        Config c =
            fromEnv
                ? resolve(List.of(), Map.of(s.env(), f.getKey()), Map.of())
                : resolve(List.of(), Map.of(), Map.of(s.key(), Map.entry(f.getKey(), LINE)));
        assertThat(c.value(s).value().orElseThrow())
            .as("%s = %s", s.key(), f.getKey())
            .isEqualTo(f.getValue());
      }
    }
    return checked;
  }

  @Test
  void everyDurationSetting_takesEveryFormOfTheGrammar() throws Exception {
    Map<String, Duration> forms =
        Map.of(
            "500ms", Duration.ofMillis(500),
            "30s", Duration.ofSeconds(30),
            "5m", Duration.ofMinutes(5),
            "12h", Duration.ofHours(12),
            "30d", Duration.ofDays(30),
            "1h30m", Duration.ofMinutes(90),
            "45", Duration.ofSeconds(45));
    List<String> checked = everyForm("D", forms, true);
    assertThat(checked)
        .contains("request-timeout", "upstream-timeout", "oidc-clock-skew", "modproxy-list-ttl");
  }

  @Test
  void everySizeSetting_takesEveryFormOfTheGrammar() throws Exception {
    Map<String, Long> forms =
        Map.of("512M", 512L << 20, "10G", 10L << 30, "10GiB", 10L << 30, "4096", 4096L);
    List<String> checked = everyForm("SIZE", forms, false);
    assertThat(checked)
        .contains("max-size", "max-object", "lz4-min", "max-ns-size", "max-module-size");
  }

  @Test
  void usage_listsEverySetting_withItsDefault() {
    for (Setting<?> s : ServeSettings.SETTINGS) {
      String entry = "\n  " + ServeUsage.left(s);
      assertThat(ServeConfig.USAGE).as("serve --help lists %s", s.key()).contains(entry);
      if (!s.defaultText().isEmpty() && !s.type().isSwitch()) {
        String rest = ServeConfig.USAGE.substring(ServeConfig.USAGE.indexOf(entry) + 3);
        String own = rest.split("\n  \\S", 2)[0]; // up to the next entry
        assertThat(own.replaceAll("\\s+", " "))
            .as("serve --help gives the default of %s", s.key())
            .contains("(default " + s.defaultText() + ")");
      }
    }
    assertThat(ServeConfig.USAGE).contains("PROGCACHE_SERVE_TOKENS_FILE");
  }

  @Test
  void badValue_namesTheSettingTheOriginTheValueAndWhatIsAccepted() {
    assertThatThrownBy(
            () -> ServeConfig.parse(List.of(), Map.of("PROGCACHE_SERVE_MAX_OBJECT", "banana")))
        .hasMessageContaining("PROGCACHE_SERVE_MAX_OBJECT: bad value \"banana\" for max-object")
        .hasMessageContaining("expected a size such as 512M, 10G or 10GiB");
    assertThatThrownBy(
            () ->
                ServeConfig.parse(
                    List.of(), Map.of(), Map.of("upstream-timeout", Map.entry("0", LINE))))
        .hasMessageContaining(LINE + ": bad value \"0\" for upstream-timeout (must be more")
        .hasMessageContaining("expected a duration more than zero");
    assertThatThrownBy(() -> ServeConfig.parse(List.of("--metrics-listen", "x:y"), Map.of()))
        .hasMessageContaining("--metrics-listen: bad value \"x:y\" for metrics-listen (bad port)")
        .hasMessageContaining("expected PORT or HOST:PORT");
    assertThatThrownBy(() -> ServeConfig.parse(List.of("--max-requests", "0"), Map.of()))
        .hasMessageContaining("for max-requests (must be 1 or more)");
  }

  @Test
  void secret_onlyFromTheEnvironment_neverInAMessage() throws Exception {
    assertThatThrownBy(() -> ServeConfig.parse(List.of("--upstream-token=s3cr3t"), Map.of()))
        .hasMessageContaining("read only from the environment (PROGCACHE_SERVE_UPSTREAM_TOKEN)")
        .hasMessageNotContaining("s3cr3t");
    assertThatThrownBy(
            () ->
                ServeConfig.parse(
                    List.of(), Map.of(), Map.of("upstream-token", Map.entry("s3cr3t", LINE))))
        .hasMessageContaining(LINE + ": upstream-token is a secret")
        .hasMessageNotContaining("s3cr3t");
    assertThat(
            resolve(List.of(), Map.of("PROGCACHE_SERVE_UPSTREAM_TOKEN", "s3cr3t"), Map.of())
                .value(ServeSettings.UPSTREAM_TOKEN)
                .shown())
        .isEqualTo("<set>");
  }

  @Test
  void formerTokensVariable_isStillRead_belowTheNewOne() throws Exception {
    Map<String, String> former = Map.of("PROGCACHE_SERVE_TOKENS_FILE", "/etc/progcache/tokens");
    assertThat(ServeConfig.parse(List.of(), former).tokens()).hasToString("/etc/progcache/tokens");
    Map<String, String> both =
        Map.of(
            "PROGCACHE_SERVE_TOKENS_FILE", "/etc/progcache/tokens",
            "PROGCACHE_SERVE_TOKENS", "/etc/progcache/new");
    assertThat(ServeConfig.parse(List.of(), both).tokens()).hasToString("/etc/progcache/new");
  }

  @Test
  void defaults_areTheConstantsTheServerWasBuiltWith() throws Exception {
    ServeConfig c = ServeConfig.parse(List.of(), Map.of());
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(8421);
    assertThat(c.trust()).isEqualTo(ServeConfig.Trust.DEFAULT);
    assertThat(c.accessLog()).isEqualTo(ServeConfig.AccessLogSettings.DEFAULT);
    assertThat(c.limits())
        .isEqualTo(
            new ServeConfig.Limits(10L << 30, 1L << 30, 256, Duration.ofSeconds(60), 8192, 4096));
    ModProxySettings m = ServeConfig.parse(List.of("--modproxy"), Map.of()).modules();
    assertThat(m.maxModuleSize()).isEqualTo(ModProxySettings.DEFAULT_MAX_MODULE_SIZE);
    assertThat(m.listTtl()).isEqualTo(ModProxySettings.DEFAULT_LIST_TTL);
    ServeConfig edge = ServeConfig.parse(List.of("--upstream", "http://central.test:1"), Map.of());
    assertThat(edge.upstream().policy()).isEqualTo(BestEffort.Policy.DEFAULT);
    ServeConfig oidc =
        ServeConfig.parse(
            List.of("--oidc-issuer", "https://i.test", "--oidc-audience", "a", "--oidc-rules", "r"),
            Map.of());
    assertThat(oidc.trust().oidc().clockSkew()).isEqualTo(OidcSettings.DEFAULT_SKEW);
  }

  @Test
  void modproxy_bareTakesTheDefault_aFollowingWordIsItsValue() throws Exception {
    assertThat(ServeConfig.parse(List.of("--modproxy"), Map.of()).modules().upstreams()).isNull();
    assertThat(
            ServeConfig.parse(List.of("--modproxy", "https://p.test/"), Map.of())
                .modules()
                .upstreams())
        .isEqualTo("https://p.test/");
    assertThat(
            ServeConfig.parse(List.of("--modproxy", "--max-module-size", "1M"), Map.of())
                .modules()
                .maxModuleSize())
        .isEqualTo(1L << 20);
  }
}
