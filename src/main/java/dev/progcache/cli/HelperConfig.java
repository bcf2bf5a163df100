package dev.progcache.cli;

import dev.progcache.disk.TrimPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The helper's settings (see {@link #SETTINGS}): flags first, then {@code PROGCACHE_*} environment
 * variables, then the config file (see {@link ConfigFile}), then defaults.
 *
 * <p>Immutable. {@link #parse} reads flags and environment only, so the GOCACHEPROG path can write
 * its handshake before any file is read; {@link #withConfigFile} adds the file layer.
 */
final class HelperConfig {
  static final Setting<Path> DIR =
      new Setting<>(
          "dir", "", ValueTypes.PATH, false, "cache directory (default $GOCACHE/progcache)");
  static final Setting<Boolean> VERBOSE =
      new Setting<>("verbose", "false", ValueTypes.BOOL, false, "summary line on stderr at close");
  static final Setting<Long> MAX_SIZE =
      new Setting<>("max-size", "10G", ValueTypes.SIZE, false, "trim to this total size");
  static final Setting<Duration> MAX_AGE =
      new Setting<>("max-age", "5d", ValueTypes.DURATION, false, "trim bodies unused this long");
  static final Setting<Duration> TRIM_INTERVAL =
      new Setting<>("trim-interval", "1d", ValueTypes.DURATION, false, "automatic trim period");

  static final Setting<String> REMOTE =
      new Setting<>("remote", "", ValueTypes.TEXT, false, "shared cache server http(s)://host:port");
  static final Setting<Path> TOKEN_FILE =
      new Setting<>("token-file", "", ValueTypes.PATH, false, "file holding the server's token");
  static final Setting<String> OIDC_AUDIENCE =
      new Setting<>(
          "oidc-audience",
          "",
          ValueTypes.TEXT,
          false,
          "without a token: fetch a GitHub Actions id-token for this audience");
  static final Setting<String> NAMESPACE =
      new Setting<>(
          "namespace", "", ValueTypes.TEXT, false, "server namespace to use (default: the token's)");

  static final Setting<String> S3 =
      new Setting<>("s3", "", ValueTypes.TEXT, false, "shared tier in a bucket, s3://bucket/prefix");
  static final Setting<Boolean> READ_ONLY =
      new Setting<>("read-only", "false", ValueTypes.BOOL, false, "never upload to the shared tier");

  static final Setting<Boolean> PREFETCH =
      new Setting<>(
          "prefetch", "true", ValueTypes.BOOL, false, "prefetch what earlier builds used (remote)");
  static final Setting<String> PREFETCH_KEY =
      new Setting<>(
          "prefetch-key", "", ValueTypes.TEXT, false, "build context for prefetching (default: derived)");

  /** Every setting, in the order {@code progcache config} shows them. */
  static final List<Setting<?>> SETTINGS =
      List.of(
          DIR,
          VERBOSE,
          MAX_SIZE,
          MAX_AGE,
          TRIM_INTERVAL,
          REMOTE,
          TOKEN_FILE,
          OIDC_AUDIENCE,
          NAMESPACE,
          S3,
          READ_ONLY,
          PREFETCH,
          PREFETCH_KEY);

  static final String USAGE =
      """
      helper flags (each also PROGCACHE_<KEY> in the environment, or key = "value" in
      $XDG_CONFIG_HOME/progcache/config.toml; flag > environment > file > default):
        --dir DIR              cache directory (default $GOCACHE/progcache)
        -v, --verbose          print a summary line on stderr when the session ends
        --max-size SIZE        automatic trim keeps the cache below SIZE (default 10G; off)
        --max-age AGE          automatic trim removes bodies unused for AGE (default 5d; off)
        --trim-interval TIME   trim automatically at most once per TIME (default 1d; off)
        --remote URL           shared cache server, http(s)://host:port (token: environment
                               PROGCACHE_TOKEN, or a file named by --token-file)
        --token-file FILE      file holding the token for --remote
        --oidc-audience AUD    without PROGCACHE_TOKEN or --token-file: in GitHub Actions (job
                               permission id-token: write), send an id-token for audience AUD
        --namespace NS         server namespace for --remote, e.g. pr-123 (default: the token's)
        --s3 s3://BUCKET/PREFIX  shared tier in S3-compatible storage (see docs/s3.md)
        --read-only            read the shared tier, never upload to it (still stores locally)
        --prefetch=false       do not prefetch from the shared tier what earlier builds used
        --prefetch-key KEY     build context of the prefetch manifest (default: module path,
                               go version, GOOS/GOARCH and build settings)
      """;

  private final Map<String, String> flagValues;
  private final List<String> flags;
  private final Map<String, String> env;
  private final @Nullable ConfigFile file;
  private final Config config;

  private HelperConfig(
      Map<String, String> flagValues,
      List<String> flags,
      Map<String, String> env,
      @Nullable ConfigFile file)
      throws ConfigException {
    this.flagValues = flagValues;
    this.flags = flags;
    this.env = env;
    this.file = file;
    this.config =
        Config.resolve(SETTINGS, flagValues, env, file == null ? ConfigFile.none() : file);
  }

  /**
   * Parses helper flags from {@code args} and reads {@code env}; stops at the first argument that
   * is not a flag and returns it and the rest through {@code rest}. Reads no file.
   *
   * @throws ConfigException for an unknown flag or a bad value, naming it
   */
  static HelperConfig parse(List<String> args, Map<String, String> env, List<String> rest)
      throws ConfigException {
    Map<String, String> values = new HashMap<>();
    List<String> given = new ArrayList<>();
    int i = 0;
    for (; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--") || !a.startsWith("-") || a.equals("-")) {
        break;
      }
      given.add(a);
      if (a.equals("-v")) {
        values.put(VERBOSE.key(), "true");
        continue;
      }
      String name = a.startsWith("--") ? a.substring(2) : a.substring(1);
      int eq = name.indexOf('=');
      String key = eq < 0 ? name : name.substring(0, eq);
      Optional<Setting<?>> found = setting(key);
      if (found.isEmpty()) {
        throw new ConfigException("unknown flag " + a + "\n" + USAGE);
      }
      Setting<?> s = found.get();
      if (eq >= 0) {
        values.put(key, name.substring(eq + 1));
      } else if (s.type().isSwitch()) {
        values.put(key, "true");
      } else if (i + 1 < args.size()) {
        values.put(key, args.get(++i));
        given.add(args.get(i));
      } else {
        throw new ConfigException(a + " needs a value: " + s.type().accepted());
      }
    }
    rest.addAll(args.subList(i, args.size()));
    return new HelperConfig(Map.copyOf(values), List.copyOf(given), env, null);
  }

  /** Settings from flag values alone (no environment, no file), e.g. for the training run. */
  static HelperConfig of(Map<String, String> flagValues) throws ConfigException {
    return new HelperConfig(Map.copyOf(flagValues), List.of(), Map.of(), ConfigFile.none());
  }

  /** The setting named {@code key}. */
  static Optional<Setting<?>> setting(String key) {
    for (Setting<?> s : SETTINGS) {
      if (s.key().equals(key)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /**
   * These settings with the config file of the environment as a layer below flags and environment;
   * {@code this} when the file layer is already there.
   *
   * @throws ConfigException when the file cannot be read or has a bad or unknown key
   */
  HelperConfig withConfigFile() throws ConfigException {
    if (file != null) {
      return this;
    }
    return new HelperConfig(flagValues, flags, env, ConfigFile.load(env));
  }

  /** The effective configuration. */
  Config config() {
    return config;
  }

  /** The config file layer; empty until {@link #withConfigFile} was called. */
  Optional<ConfigFile> file() {
    return Optional.ofNullable(file);
  }

  /** The flags as given, to pass on to a helper started by {@code exec}. */
  List<String> flags() {
    return flags;
  }

  /** The configured cache directory, if any (else go's cache dir + /progcache). */
  Optional<Path> dir() {
    return config.find(DIR);
  }

  boolean verbose() {
    return config.get(VERBOSE);
  }

  boolean prefetch() {
    return config.get(PREFETCH);
  }

  Optional<String> prefetchKey() {
    return config.find(PREFETCH_KEY).filter(s -> !s.isBlank());
  }

  TrimPolicy trimPolicy() {
    return new TrimPolicy(config.get(MAX_SIZE), config.get(MAX_AGE), config.get(TRIM_INTERVAL));
  }

  /** The cache directory: the configured one, or {@code <go's cache>/progcache}. */
  Path resolveDir(Map<String, String> env) throws ConfigException {
    Optional<Path> d = dir();
    return d.isPresent() ? d.get() : new GoEnv(env).goCache().resolve("progcache");
  }
}
