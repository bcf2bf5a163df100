package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.config.Config;
import dev.progcache.config.Problem;
import dev.progcache.config.Setting;
import dev.progcache.config.ValueTypes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ConfigTest {
  @TempDir Path tmp;

  private Map<String, String> env(String fileText) throws Exception {
    Path f = tmp.resolve("progcache/config.toml");
    Files.createDirectories(f.getParent());
    Files.writeString(f, fileText);
    Map<String, String> env = new HashMap<>();
    env.put("XDG_CONFIG_HOME", tmp.toString());
    return env;
  }

  private static HelperConfig load(List<String> args, Map<String, String> env) throws Exception {
    return HelperConfig.parse(args, env, new ArrayList<>()).withConfigFile();
  }

  @Test
  void precedence_flagOverEnvOverFileOverDefault() throws Exception {
    Map<String, String> env = env("max-size = \"3G\"\nmax-age = \"2d\"\ntrim-interval = \"6h\"\n");
    env.put("PROGCACHE_MAX_SIZE", "2G");
    env.put("PROGCACHE_MAX_AGE", "1d");
    HelperConfig cfg = load(List.of("--max-size", "1G"), env);

    Config c = cfg.config();
    assertThat(c.get(HelperConfig.MAX_SIZE)).isEqualTo(1L << 30);
    assertThat(c.value(HelperConfig.MAX_SIZE).source()).isEqualTo(Config.Source.FLAG);
    assertThat(c.value(HelperConfig.MAX_SIZE).origin()).isEqualTo("--max-size");
    assertThat(c.get(HelperConfig.MAX_AGE)).isEqualTo(Duration.ofDays(1));
    assertThat(c.value(HelperConfig.MAX_AGE).origin()).isEqualTo("PROGCACHE_MAX_AGE");
    assertThat(c.get(HelperConfig.TRIM_INTERVAL)).isEqualTo(Duration.ofHours(6));
    assertThat(c.value(HelperConfig.TRIM_INTERVAL).origin()).endsWith("config.toml:3");
    assertThat(c.value(HelperConfig.VERBOSE).source()).isEqualTo(Config.Source.DEFAULT);
    assertThat(cfg.verbose()).isFalse();
    assertThat(cfg.dir()).isEmpty();
  }

  @Test
  void flags_equalsForm_shortVerbose_andRestReturned() throws Exception {
    List<String> rest = new ArrayList<>();
    HelperConfig cfg =
        HelperConfig.parse(
            List.of("-v", "--dir=/x/y", "--max-age=12h", "--", "go"), Map.of(), rest);
    assertThat(cfg.verbose()).isTrue();
    assertThat(cfg.dir()).contains(Path.of("/x/y"));
    assertThat(cfg.trimPolicy().maxAge()).isEqualTo(Duration.ofHours(12));
    assertThat(rest).containsExactly("--", "go");
    assertThat(cfg.flags()).containsExactly("-v", "--dir=/x/y", "--max-age=12h");
  }

  @Test
  void badFlagValue_namesFlagKeyAndAcceptedForm() {
    assertThatThrownBy(
            () -> HelperConfig.parse(List.of("--max-size", "10QB"), Map.of(), new ArrayList<>()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--max-size")
        .hasMessageContaining("\"10QB\"")
        .hasMessageContaining("max-size")
        .hasMessageContaining("e.g. 10G");
  }

  @Test
  void badEnvValue_namesVariableAndAcceptedForm() {
    assertThatThrownBy(
            () ->
                HelperConfig.parse(
                    List.of(), Map.of("PROGCACHE_MAX_AGE", "5 days"), new ArrayList<>()))
        .hasMessageContaining("PROGCACHE_MAX_AGE")
        .hasMessageContaining("max-age")
        .hasMessageContaining("5d, 12h or 1h30m");
    assertThatThrownBy(
            () ->
                HelperConfig.parse(
                    List.of(), Map.of("PROGCACHE_VERBOSE", "maybe"), new ArrayList<>()))
        .hasMessageContaining("PROGCACHE_VERBOSE")
        .hasMessageContaining("true or false");
  }

  @Test
  void badFileValue_namesFileLineKeyAndAcceptedForm() throws Exception {
    Map<String, String> env = env("# sizes\n\nmax-size = \"lots\"\n");
    assertThatThrownBy(() -> load(List.of(), env))
        .hasMessageContaining("config.toml:3")
        .hasMessageContaining("max-size")
        .hasMessageContaining("K, M, G or T");
  }

  @Test
  void fileErrors_unknownKey_unknownTable_array_duplicate() throws Exception {
    assertThatThrownBy(() -> load(List.of(), env("max_siz = \"1G\"\n")))
        .hasMessageContaining("unknown key max_siz")
        .hasMessageContaining("known keys: dir, verbose, max-size");
    assertThatThrownBy(() -> load(List.of(), env("[trim]\nmax-size = 1G\n")))
        .hasMessageContaining("config.toml:2: unknown table [trim]");
    assertThatThrownBy(() -> load(List.of(), env("max-size = [1, 2]\n")))
        .hasMessageContaining("not an array");
    assertThatThrownBy(() -> load(List.of(), env("verbose = true\nverbose = false\n")))
        .hasMessageContaining("config.toml:2")
        .hasMessageContaining("set twice");
  }

  @Test
  void file_unquotedSizesAndNumbers_andAServeTable_areRead() throws Exception {
    HelperConfig cfg =
        load(List.of(), env("max-size = 20G\nremote-uploads = 8\n\n[serve]\nmax-size = 100G\n"));
    assertThat(cfg.trimPolicy().maxBytes()).isEqualTo(20L << 30);
    assertThat(cfg.config().get(HelperConfig.REMOTE_UPLOADS)).isEqualTo(8);
    assertThat(cfg.problems()).isEmpty();
  }

  @Test
  void lenient_badValuesEverywhere_becomeProblemsAndDefaults_neverExceptions() throws Exception {
    Map<String, String> env =
        env("max-age = forever\n[progcache]\ndir = \"/x\"\nthis is not toml\n");
    env.put("PROGCACHE_MAX_SIZE", "banana");
    env.put("PROGCACHE_REMOTE_TIMEOUT", "banana");
    HelperConfig cfg =
        HelperConfig.lenient(List.of("--colour", "--trim-interval", "soon", "extra"), env)
            .withConfigFileLeniently();
    assertThat(cfg.trimPolicy().maxBytes()).isEqualTo(10L << 30);
    assertThat(cfg.trimPolicy().maxAge()).isEqualTo(Duration.ofDays(5));
    assertThat(cfg.dir()).isEmpty();
    assertThat(cfg.problems().stream().map(Problem::line))
        .anySatisfy(l -> assertThat(l).contains("unknown flag --colour").endsWith("ignored"))
        .anySatisfy(l -> assertThat(l).contains("unexpected argument \"extra\""))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("progcache: --trim-interval: bad value \"soon\" for trim-interval")
                    .endsWith("using the default 1d"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith("progcache: PROGCACHE_MAX_SIZE: bad value \"banana\" for max-size")
                    .endsWith("using the default 10G"))
        .anySatisfy(
            l ->
                assertThat(l)
                    .contains("PROGCACHE_REMOTE_TIMEOUT: bad value \"banana\"")
                    .endsWith("the shared tier is off for this command"))
        .anySatisfy(l -> assertThat(l).contains("config.toml:1: bad value \"forever\" for max-age"))
        .anySatisfy(l -> assertThat(l).contains("config.toml:3: unknown table [progcache]"))
        .anySatisfy(l -> assertThat(l).contains("config.toml:4: expected key = value"));
    assertThat(cfg.problems()).allSatisfy(p -> assertThat(p.line()).doesNotContain("\n"));
    assertThat(cfg.sharedTierOff()).isTrue();
  }

  @Test
  void fileValues_quotingCommentsAndBareBooleans() throws Exception {
    HelperConfig cfg =
        load(
            List.of(),
            env("verbose = true # talk\ndir = '/data/cache'\nmax-size = \"20G\"   # cap\n"));
    assertThat(cfg.verbose()).isTrue();
    assertThat(cfg.dir()).contains(Path.of("/data/cache"));
    assertThat(cfg.trimPolicy().maxBytes()).isEqualTo(20L << 30);
  }

  @Test
  void parse_readsNoFile_theFileLayerComesLater() throws Exception {
    Map<String, String> env = env("this is not toml\n");
    HelperConfig early = HelperConfig.parse(List.of(), env, new ArrayList<>());
    assertThat(early.file()).isEmpty();
    assertThatThrownBy(early::withConfigFile).hasMessageContaining("expected key = value");
  }

  @Test
  void explicitConfigFileThatIsMissing_isAnError() {
    Map<String, String> env = Map.of("PROGCACHE_CONFIG", tmp.resolve("nope.toml").toString());
    assertThatThrownBy(() -> load(List.of(), env))
        .hasMessageContaining("PROGCACHE_CONFIG=")
        .hasMessageContaining("no such file");
  }

  @Test
  void missingDefaultFile_isFine() throws Exception {
    HelperConfig cfg = load(List.of(), Map.of("HOME", tmp.toString()));
    assertThat(cfg.file().orElseThrow().path())
        .contains(tmp.resolve(".config/progcache/config.toml"));
    assertThat(cfg.trimPolicy().maxBytes()).isEqualTo(10L << 30);
  }

  @Test
  void secretSetting_isShownAsSetOrUnset_andNeverInProblems() throws Exception {
    Config c =
        Config.resolve(
            HelperConfig.SETTINGS,
            Map.of(),
            Map.of("PROGCACHE_TOKEN", "s3cr3t", "PROGCACHE_REMOTE", "http://u:pw@h:1/"),
            Map.of());
    assertThat(c.value(HelperConfig.TOKEN).shown()).isEqualTo("<set>");
    assertThat(c.get(HelperConfig.TOKEN)).isEqualTo("s3cr3t");
    assertThat(c.value(HelperConfig.REMOTE).shown()).isEqualTo("http://<set>@h:1/");
    assertThat(
            Config.resolve(HelperConfig.SETTINGS, Map.of(), Map.of(), Map.of())
                .value(HelperConfig.TOKEN)
                .shown())
        .isEqualTo("<unset>");
    Setting<Long> secretSize = new Setting<>("k", "", ValueTypes.SIZE, Setting.Kind.SECRET, "");
    Config bad =
        Config.resolve(List.of(secretSize), Map.of(), Map.of("PROGCACHE_K", "s3cr3t"), Map.of());
    assertThat(bad.problems())
        .singleElement()
        .satisfies(p -> assertThat(p.line()).doesNotContain("s3cr3t").contains("<redacted>"));
    assertThatThrownBy(
            () -> HelperConfig.parse(List.of("--token", "s3cr3t"), Map.of(), new ArrayList<>()))
        .hasMessageContaining("only from the environment (PROGCACHE_TOKEN)");
  }

  @Test
  void aSecretOrMistypedFlag_neverShowsItsValue() throws Exception {
    for (List<String> args :
        List.of(
            List.of("--token=s3cr3t"),
            List.of("--token", "s3cr3t"),
            List.of("-token=s3cr3t"),
            List.of("--tokn=s3cr3t"))) {
      HelperConfig cfg = HelperConfig.lenient(args, Map.of());
      assertThat(cfg.problems()).as("%s", args).isNotEmpty();
      assertThat(cfg.problems().stream().map(Problem::line))
          .as("%s", args)
          .noneSatisfy(l -> assertThat(l).contains("s3cr3t"));
      assertThatThrownBy(() -> HelperConfig.parse(args, Map.of(), new ArrayList<>()))
          .as("%s", args)
          .message()
          .doesNotContain("s3cr3t")
          .containsAnyOf("--token", "-token", "--tokn");
    }
  }

  @Test
  void unknownFlag_isAnError_forCommands() {
    assertThatThrownBy(() -> HelperConfig.parse(List.of("--colour"), Map.of(), new ArrayList<>()))
        .hasMessageContaining("unknown flag --colour");
  }

  @Test
  void usage_mentionsEverySetting() {
    for (Setting<?> s : HelperConfig.SETTINGS) {
      assertThat(HelperConfig.USAGE).contains(s.outsideEnvironment() ? s.flag() : s.env());
    }
  }

  @Test
  void sizesAndDurations_parse() {
    assertThat(ValueTypes.parseSize("512")).isEqualTo(512);
    assertThat(ValueTypes.parseSize("1k")).isEqualTo(1024);
    assertThat(ValueTypes.parseSize("10GiB")).isEqualTo(10L << 30);
    assertThat(ValueTypes.parseSize("2TB")).isEqualTo(2L << 40);
    assertThat(ValueTypes.parseSize("off")).isZero();
    assertThat(ValueTypes.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(ValueTypes.parseDuration("off")).isZero();
    assertThat(ValueTypes.parseDuration("1s250ms")).isEqualTo(Duration.ofMillis(1250));
    assertThatThrownBy(() -> ValueTypes.parseDuration("5")).hasMessageContaining("unit");
    assertThatThrownBy(() -> ValueTypes.parseSize("99999999999T"))
        .hasMessageContaining("too large");
  }
}
