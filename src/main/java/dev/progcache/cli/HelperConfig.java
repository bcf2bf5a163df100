package dev.progcache.cli;

import static dev.progcache.config.Setting.Kind.LOCAL;
import static dev.progcache.config.Setting.Kind.SECRET;
import static dev.progcache.config.Setting.Kind.SHARED;

import dev.progcache.config.Config;
import dev.progcache.config.Problem;
import dev.progcache.config.Setting;
import dev.progcache.config.ValueTypes;
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
          "dir", "", ValueTypes.PATH, LOCAL, "cache directory (default $GOCACHE/progcache)");
  static final Setting<Boolean> VERBOSE =
      new Setting<>("verbose", "false", ValueTypes.BOOL, LOCAL, "summary line on stderr at close");
  static final Setting<Long> MAX_SIZE =
      new Setting<>("max-size", "10G", ValueTypes.SIZE, LOCAL, "trim to this total size");
  static final Setting<Duration> MAX_AGE =
      new Setting<>("max-age", "5d", ValueTypes.DURATION, LOCAL, "trim bodies unused this long");
  static final Setting<Duration> TRIM_INTERVAL =
      new Setting<>("trim-interval", "1d", ValueTypes.DURATION, LOCAL, "automatic trim period");

  static final Setting<String> REMOTE =
      new Setting<>(
          "remote", "", ValueTypes.TEXT, SHARED, "shared cache server http(s)://host:port");
  static final Setting<Path> TOKEN_FILE =
      new Setting<>("token-file", "", ValueTypes.PATH, LOCAL, "file holding the server's token");
  static final Setting<String> OIDC_AUDIENCE =
      new Setting<>(
          "oidc-audience",
          "",
          ValueTypes.TEXT,
          SHARED,
          "without a token: fetch a GitHub Actions id-token for this audience");
  static final Setting<String> NAMESPACE =
      new Setting<>(
          "namespace",
          "",
          ValueTypes.TEXT,
          SHARED,
          "server namespace to use (default: the token's)");

  static final Setting<String> S3 =
      new Setting<>(
          "s3", "", ValueTypes.TEXT, SHARED, "shared tier in a bucket, s3://bucket/prefix");
  static final Setting<Boolean> READ_ONLY =
      new Setting<>(
          "read-only", "false", ValueTypes.BOOL, SHARED, "never upload to the shared tier");

  static final Setting<Boolean> PREFETCH =
      new Setting<>(
          "prefetch",
          "true",
          ValueTypes.BOOL,
          SHARED,
          "prefetch what earlier builds used (remote)");
  static final Setting<String> PREFETCH_KEY =
      new Setting<>(
          "prefetch-key",
          "",
          ValueTypes.TEXT,
          SHARED,
          "build context for prefetching (default: derived)");

  static final Setting<String> TOKEN =
      new Setting<>(
          "token", "", ValueTypes.TEXT, SECRET, "bearer token for --remote (environment only)");

  static final Setting<Duration> REMOTE_TIMEOUT =
      new Setting<>(
          "remote-timeout", "10s", ValueTypes.TIMEOUT, SHARED, "time limit of one shared-tier get");
  static final Setting<Integer> REMOTE_BREAKER_FAILURES =
      new Setting<>(
          "remote-breaker-failures",
          "5",
          ValueTypes.COUNT,
          SHARED,
          "failures in a row that open the breaker");
  static final Setting<Duration> REMOTE_BREAKER_OPEN =
      new Setting<>(
          "remote-breaker-open",
          "10s",
          ValueTypes.TIMEOUT,
          SHARED,
          "how long the breaker stays open");
  static final Setting<Duration> REMOTE_NEGATIVE_TTL =
      new Setting<>(
          "remote-negative-ttl",
          "30s",
          ValueTypes.DURATION,
          SHARED,
          "how long a shared miss is remembered");
  static final Setting<Integer> REMOTE_UPLOADS =
      new Setting<>("remote-uploads", "4", ValueTypes.COUNT, SHARED, "uploads at once");
  static final Setting<Integer> REMOTE_UPLOAD_QUEUE =
      new Setting<>(
          "remote-upload-queue", "4096", ValueTypes.COUNT, SHARED, "uploads waiting at most");
  static final Setting<Boolean> REMOTE_UPLOAD_YIELD =
      new Setting<>(
          "remote-upload-yield",
          "true",
          ValueTypes.BOOL,
          SHARED,
          "uploads wait while go keeps every core busy");
  static final Setting<Duration> REMOTE_DRAIN =
      new Setting<>(
          "remote-drain", "5s", ValueTypes.DURATION, SHARED, "time queued uploads get after close");

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
          PREFETCH_KEY,
          TOKEN,
          REMOTE_TIMEOUT,
          REMOTE_BREAKER_FAILURES,
          REMOTE_BREAKER_OPEN,
          REMOTE_NEGATIVE_TTL,
          REMOTE_UPLOADS,
          REMOTE_UPLOAD_QUEUE,
          REMOTE_UPLOAD_YIELD,
          REMOTE_DRAIN);

  static final String USAGE =
      """
      helper flags (each also PROGCACHE_<KEY> in the environment, or key = value in
      $XDG_CONFIG_HOME/progcache/config.toml; flag > environment > file > default;
      sizes like 512M, 10G or 10GiB, durations like 500ms, 30s, 5m, 12h or 30d):
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
        --remote-timeout D     time limit of one shared-tier get (default 10s)
        --remote-breaker-failures N  failures in a row that stop shared reads (default 5)
        --remote-breaker-open D      how long they stay stopped (default 10s)
        --remote-negative-ttl D      how long a shared miss is remembered (default 30s)
        --remote-uploads N           uploads at once (default 4)
        --remote-upload-queue N      uploads waiting at most; more are dropped (default 4096)
        --remote-upload-yield=false  upload at once, even while go keeps every core busy
                                     (default: wait, as long as the drain could still send
                                     what waits in half its time)
        --remote-drain D             time queued uploads get after go's close (default 5s)
      A bad value is reported on stderr and replaced by the default (for a shared-tier
      setting: the shared tier is off); it never fails the go command.
      """;

  /**
   * {@link #USAGE} with only the flags of {@code settings}: the header, then each flag's entry (its
   * line and the continuation lines under it).
   */
  static String usage(List<Setting<?>> settings) {
    StringBuilder b = new StringBuilder();
    boolean keep = true;
    for (String line : USAGE.lines().toList()) {
      String t = line.stripLeading();
      boolean entry = line.startsWith("  -") && t.startsWith("-");
      if (entry) {
        String flag = t.startsWith("-v, ") ? "--verbose" : t.split("[ =]", 2)[0];
        keep = settings.stream().anyMatch(s -> s.flag().equals(flag));
      } else if (!line.startsWith("      ")) {
        keep = true; // header or footer text
      }
      if (keep) {
        b.append(line).append('\n');
      }
    }
    return b.toString();
  }

  private final Map<String, String> flagValues;
  private final List<String> flags;
  private final Map<String, String> env;
  private final @Nullable ConfigFile file;
  private final Config config;
  private final List<Problem> flagProblems;
  private final List<Problem> keyProblems;
  private final boolean strict;

  private HelperConfig(Parsed flags, Map<String, String> env, @Nullable ConfigFile file)
      throws ConfigException {
    this.flagValues = flags.values();
    this.flags = flags.given();
    this.flagProblems = flags.problems();
    this.strict = flags.strict();
    this.env = env;
    this.file = file;
    this.config =
        Config.resolve(SETTINGS, flagValues, env, file == null ? Map.of() : file.values());
    this.keyProblems = file == null ? List.of() : file.keyProblems(SETTINGS);
    if (strict) {
      requireValid();
    }
  }

  /** What the command line said: values by key, the flags as given, and what was wrong. */
  private record Parsed(
      Map<String, String> values, List<String> given, List<Problem> problems, boolean strict) {}

  /**
   * Parses helper flags from {@code args} and reads {@code env}; stops at the first argument that
   * is not a flag and returns it and the rest through {@code rest}. Reads no file. For commands:
   * every problem, then and when the file is added, is thrown.
   *
   * @throws ConfigException for an unknown flag or a bad value, naming it
   */
  static HelperConfig parse(List<String> args, Map<String, String> env, List<String> rest)
      throws ConfigException {
    return new HelperConfig(flags(args, rest, true), env, null);
  }

  /**
   * For the helper, which go starts: as {@link #parse}, but nothing fails. An unknown flag, a stray
   * argument or a bad value is a {@link Problem} (see {@link #problems}), and the setting keeps its
   * default.
   */
  static HelperConfig lenient(List<String> args, Map<String, String> env) {
    List<String> rest = new ArrayList<>();
    Parsed p;
    try {
      p = flags(args, rest, false);
    } catch (ConfigException e) {
      throw new IllegalStateException("lenient flag parsing threw", e);
    }
    List<Problem> problems = new ArrayList<>(p.problems());
    if (!rest.isEmpty()) {
      problems.add(Problem.ignored("unexpected argument \"" + String.join(" ", rest) + "\""));
    }
    try {
      return new HelperConfig(
          new Parsed(p.values(), p.given(), List.copyOf(problems), false), env, null);
    } catch (ConfigException e) {
      throw new IllegalStateException("a lenient configuration threw", e);
    }
  }

  private static Parsed flags(List<String> args, List<String> rest, boolean strict)
      throws ConfigException {
    Map<String, String> values = new HashMap<>();
    List<String> given = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    int i = 0;
    for (; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--") || !a.startsWith("-") || a.equals("-")) {
        break;
      }
      if (a.equals("-v")) {
        values.put(VERBOSE.key(), "true");
        given.add(a);
        continue;
      }
      String name = a.startsWith("--") ? a.substring(2) : a.substring(1);
      int eq = name.indexOf('=');
      String key = eq < 0 ? name : name.substring(0, eq);
      Optional<Setting<?>> found = setting(key).filter(Setting::outsideEnvironment);
      String problem = null;
      String flag = a.substring(0, a.length() - name.length()) + key; // never the value
      if (found.isEmpty() && setting(key).isPresent()) {
        problem =
            flag
                + ": a secret is read only from the environment ("
                + setting(key).get().env()
                + ")";
        if (eq < 0 && i + 1 < args.size() && !args.get(i + 1).startsWith("-")) {
          i++; // its value: neither a stray word nor shown
        }
      } else if (found.isEmpty()) {
        problem = "unknown flag " + flag;
      } else if (eq >= 0) {
        values.put(key, name.substring(eq + 1));
        given.add(a);
      } else if (found.get().type().isSwitch()) {
        values.put(key, "true");
        given.add(a);
      } else if (i + 1 < args.size()) {
        values.put(key, args.get(++i));
        given.add(a);
        given.add(args.get(i));
      } else {
        problem = a + " needs a value: " + found.get().type().accepted();
      }
      if (problem != null) {
        if (strict) {
          throw new ConfigException(problem);
        }
        problems.add(Problem.ignored(problem));
      }
    }
    rest.addAll(args.subList(i, args.size()));
    return new Parsed(Map.copyOf(values), List.copyOf(given), List.copyOf(problems), strict);
  }

  /** Settings from flag values alone (no environment, no file), e.g. for the training run. */
  static HelperConfig of(Map<String, String> flagValues) throws ConfigException {
    return new HelperConfig(
        new Parsed(Map.copyOf(flagValues), List.of(), List.of(), true),
        Map.of(),
        ConfigFile.none());
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
   * {@code this} when the file layer is already there. The file is read only when it exists.
   *
   * @throws ConfigException when strict (see {@link #parse}) and the file has a problem
   */
  HelperConfig withConfigFile() throws ConfigException {
    if (file != null) {
      return this;
    }
    return new HelperConfig(
        new Parsed(flagValues, flags, flagProblems, strict), env, ConfigFile.load(env));
  }

  /**
   * As {@link #withConfigFile}, but never fails: problems of the file and its values are in {@link
   * #problems}, also when these settings were parsed strictly.
   */
  HelperConfig withConfigFileLeniently() {
    if (file != null && !strict) {
      return this;
    }
    try {
      return new HelperConfig(
          new Parsed(flagValues, flags, flagProblems, false),
          env,
          file != null ? file : ConfigFile.load(env));
    } catch (ConfigException e) {
      throw new IllegalStateException("a lenient configuration threw", e);
    }
  }

  /**
   * Every problem of the flags, the file and the values, in that order. Each setting concerned has
   * its default; empty when all is well.
   */
  List<Problem> problems() {
    List<Problem> all = new ArrayList<>(flagProblems);
    if (file != null) {
      all.addAll(file.problems());
    }
    all.addAll(keyProblems);
    all.addAll(config.problems());
    return all;
  }

  /**
   * Whether the command line itself had problems: an unknown flag, a missing value, a stray word.
   */
  boolean hasFlagProblems() {
    return !flagProblems.isEmpty();
  }

  /** Whether a problem turns the shared tier off. */
  boolean sharedTierOff() {
    return problems().stream().anyMatch(Problem::disablesTier);
  }

  /** Throws the first problem, naming what to fix. */
  HelperConfig requireValid() throws ConfigException {
    List<Problem> p = problems();
    if (!p.isEmpty()) {
      throw new ConfigException(p.get(0).text());
    }
    return this;
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
