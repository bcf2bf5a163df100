package dev.progcache.server;

import static dev.progcache.config.Setting.Kind.SECRET;
import static dev.progcache.config.Setting.Kind.SERVER;

import dev.progcache.config.Config;
import dev.progcache.config.Setting;
import dev.progcache.config.Setting.ValueType;
import dev.progcache.config.ValueTypes;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every setting of {@code progcache serve}, each declared once: {@code --key} on the command line,
 * {@code PROGCACHE_SERVE_KEY} in the environment, {@code key} in the config file's {@code [serve]}
 * table; flag > environment > file > default (see {@link ServeLayers}). The usage text ({@link
 * ServeUsage}), the parser and the docs' checks follow from {@link #SETTINGS}.
 *
 * <p>Adding a setting: one constant here, in {@link #SETTINGS}, and where {@link ServeBuild} uses
 * it. Immutable.
 */
public final class ServeSettings {
  private ServeSettings() {}

  static final String PREFIX = "PROGCACHE_SERVE_";

  private static <T> Setting<T> serve(String key, String dflt, ValueType<T> type, String help) {
    return new Setting<>(key, Setting.envName(PREFIX, key), dflt, type, SERVER, help);
  }

  private static Setting<Boolean> serveSwitch(String key, String help) {
    return serve(key, "false", ValueTypes.BOOL, help);
  }

  static final Setting<InetSocketAddress> LISTEN =
      serve("listen", "127.0.0.1:8421", ServeTypes.LISTEN, "address to listen on");
  static final Setting<Path> DIR =
      serve(
          "dir",
          "",
          ServeTypes.path("DIR"),
          "storage directory (default ~/.cache/progcache-serve)");
  static final Setting<Long> MAX_SIZE =
      serve(
          "max-size", "10G", ServeTypes.SIZE, "evict least recently used objects above this total");
  static final Setting<Long> MAX_OBJECT =
      serve("max-object", "1G", ServeTypes.SIZE, "largest object accepted; a larger one gets 413");
  static final Setting<Path> TOKENS =
      serve(
          "tokens",
          "",
          ServeTypes.path("FILE"),
          "bearer tokens, stored hashed, with grants and namespaces (make lines with progcache token create; reloaded when it changes); without it"
              + " the server only listens on loopback and anyone there may read and write"
              + " namespace main");
  static final Setting<Boolean> INSECURE_ANONYMOUS =
      serveSwitch(
          "insecure-anonymous",
          "requests without a token may read namespace main, even on a non-loopback address"
              + " without --tokens (logged loudly)");
  static final Setting<Boolean> ANONYMOUS_WRITE =
      serveSwitch(
          "anonymous-write", "with --insecure-anonymous: they may also write main (unsafe)");
  static final Setting<Long> MAX_NS_SIZE =
      serve("max-ns-size", "1G", ServeTypes.SIZE, "size limit of each namespace other than main");
  static final Setting<Integer> MAX_NAMESPACES =
      serve(
          "max-namespaces",
          "256",
          ServeTypes.count(1_000_000),
          "namespaces besides main the server may hold; a write that would create one more gets"
              + " 507");
  static final Setting<String> OIDC_ISSUER =
      serve(
          "oidc-issuer",
          "",
          ServeTypes.url("URL"),
          "accept OIDC id-tokens from this issuer as bearer tokens (GitHub Actions:"
              + " https://token.actions.githubusercontent.com); its keys come from"
              + " URL/.well-known/openid-configuration unless --oidc-jwks is given");
  static final Setting<String> OIDC_AUDIENCE =
      serve(
          "oidc-audience",
          "",
          ServeTypes.text("AUD", "the audience tokens must name", null),
          "the audience tokens must name");
  static final Setting<Path> OIDC_RULES =
      serve(
          "oidc-rules",
          "",
          ServeTypes.path("FILE"),
          "claim rules mapping tokens to grants and namespaces (see docs/remote.md)");
  static final Setting<String> OIDC_JWKS =
      serve(
          "oidc-jwks",
          "",
          ServeTypes.url("URL"),
          "the issuer's key set, instead of discovering it");
  static final Setting<Duration> OIDC_CLOCK_SKEW =
      serve("oidc-clock-skew", "60s", ServeTypes.DURATION, "tolerance on token times, 0s to 10m");
  static final Setting<Integer> MAX_REQUESTS =
      serve(
          "max-requests",
          "256",
          ServeTypes.count(100_000),
          "requests handled at once; more wait, then get 503");
  static final Setting<Duration> REQUEST_TIMEOUT =
      serve("request-timeout", "60s", ServeTypes.TIMEOUT, "time limit for one request body");
  static final Setting<Long> LZ4_MIN =
      serve(
          "lz4-min",
          "4K",
          ServeTypes.SIZE,
          "compress bodies at least this big for clients that accept lz4");
  static final Setting<String> S3 =
      serve(
          "s3",
          "",
          ServeTypes.url("s3://BUCKET[/PREFIX]"),
          "back the disk with an S3-compatible bucket: the disk becomes a --max-size hot tier,"
              + " misses fall through to the bucket, PUTs land in the bucket before 204; replicas"
              + " may share it. PROGCACHE_S3_REGION / _ENDPOINT / _PATH_STYLE and the AWS"
              + " credential chain apply");
  static final Setting<String> UPSTREAM =
      serve(
          "upstream",
          "",
          ServeTypes.url("URL"),
          "an edge cache: read through to the progcache (or gocached-compatible) server at URL on"
              + " a miss, keeping a verified copy here, and forward PUTs to it in the background."
              + " Namespace main maps to URL, namespace N to URL/ns/N/");
  static final Setting<String> UPSTREAM_TOKEN =
      new Setting<>(
          "upstream-token",
          Setting.envName(PREFIX, "upstream-token"),
          "",
          ServeTypes.text("TOKEN", "a non-empty token", null),
          SECRET,
          "the bearer token sent upstream (environment only, never shown)");
  static final Setting<Path> UPSTREAM_TOKEN_FILE =
      serve(
          "upstream-token-file",
          "",
          ServeTypes.path("FILE"),
          "file holding the bearer token sent upstream");
  static final Setting<Boolean> UPSTREAM_READ_ONLY =
      serveSwitch("upstream-read-only", "read through only; forward no PUTs");
  static final Setting<Duration> UPSTREAM_TIMEOUT =
      serve(
          "upstream-timeout",
          "10s",
          ServeTypes.TIMEOUT,
          "time limit of one upstream read, body included");
  static final Setting<Duration> UPSTREAM_DRAIN =
      serve(
          "upstream-drain",
          "30s",
          ServeTypes.DURATION,
          "at shutdown, how long queued forwards may take");
  static final Setting<ServeConfig.LogFormat> ACCESS_LOG =
      serve(
          "access-log",
          "common",
          ServeTypes.LOG_FORMAT,
          "how requests are logged on stderr: common (the common log format), json (one object"
              + " per line) or off");
  static final Setting<Boolean> ACCESS_LOG_PROBES =
      serveSwitch("access-log-probes", "log health probes (GET /healthz) too");
  static final Setting<Boolean> NO_ACCESS_LOG =
      serveSwitch("no-access-log", "the same as --access-log off");
  static final Setting<String> MODPROXY =
      serve(
          "modproxy",
          "",
          ServeTypes.text(
              "UPSTREAMS",
              "a GOPROXY-style list of proxy URLs, or default",
              dev.progcache.modproxy.ModProxySettings.DEFAULT),
          "also serve go's module proxy protocol (GOPROXY) and proxy the checksum database under"
              + " /mod/; UPSTREAMS is a GOPROXY-style list of proxy URLs (, or |), default:"
              + " with --upstream the central server's /mod/, else the proxies `go env GOPROXY`"
              + " names on this machine. See docs/modproxy.md");
  static final Setting<Long> MAX_MODULE_SIZE =
      serve("max-module-size", "500M", ServeTypes.SIZE, "largest module file fetched");
  static final Setting<Duration> MODPROXY_LIST_TTL =
      serve(
          "modproxy-list-ttl",
          "60s",
          ServeTypes.DURATION,
          "how long a version list, @latest or checksum database answer (not a tile) is served"
              + " before it is asked again (served stale while the upstream fails)");
  static final Setting<Path> MODPROXY_NETRC =
      serve(
          "modproxy-netrc",
          "",
          ServeTypes.path("FILE"),
          "basic credentials for upstream proxy hosts (netrc format)");
  static final Setting<Path> MODPROXY_HEADER_FILE =
      serve(
          "modproxy-header-file",
          "",
          ServeTypes.path("FILE"),
          "headers (\"Name: value\" lines) sent to every upstream proxy");
  static final Setting<Integer> MODPROXY_RATE =
      serve(
          "modproxy-rate",
          "off",
          ServeTypes.RATE,
          "module requests each token may send per second; more get 429 with Retry-After");
  static final Setting<InetSocketAddress> METRICS_LISTEN =
      serve(
          "metrics-listen",
          "",
          ServeTypes.PORT_OR_ADDRESS,
          "also serve /metrics, and only that, on this address without a token (HOST defaults to"
              + " 127.0.0.1). On the main address /metrics needs a token with the metrics grant"
              + " (progcache token create --metrics) and shows only the namespaces that token"
              + " reads");

  /** Every setting, in the order of the usage text. */
  public static final List<Setting<?>> SETTINGS =
      List.of(
          LISTEN,
          DIR,
          MAX_SIZE,
          MAX_OBJECT,
          TOKENS,
          INSECURE_ANONYMOUS,
          ANONYMOUS_WRITE,
          MAX_NS_SIZE,
          MAX_NAMESPACES,
          OIDC_ISSUER,
          OIDC_AUDIENCE,
          OIDC_RULES,
          OIDC_JWKS,
          OIDC_CLOCK_SKEW,
          MAX_REQUESTS,
          REQUEST_TIMEOUT,
          LZ4_MIN,
          S3,
          UPSTREAM,
          UPSTREAM_TOKEN,
          UPSTREAM_TOKEN_FILE,
          UPSTREAM_READ_ONLY,
          UPSTREAM_TIMEOUT,
          UPSTREAM_DRAIN,
          ACCESS_LOG,
          ACCESS_LOG_PROBES,
          NO_ACCESS_LOG,
          MODPROXY,
          MAX_MODULE_SIZE,
          MODPROXY_LIST_TTL,
          MODPROXY_NETRC,
          MODPROXY_HEADER_FILE,
          MODPROXY_RATE,
          METRICS_LISTEN);

  /**
   * Former names of variables, still read (below the setting's own variable): {@code
   * PROGCACHE_SERVE_TOKENS_FILE} predates the rule that the variable is the flag's name.
   */
  public static final Map<String, Setting<?>> FORMER_ENV =
      Map.of("PROGCACHE_SERVE_TOKENS_FILE", TOKENS);

  /**
   * serve's effective settings with no flags: its variables, then the config file's {@code [serve]}
   * table ({@code file}: values by key, each with where it was written), then defaults. A bad value
   * is in {@link Config#problems}; {@code progcache config --serve} shows them.
   *
   * @throws ServeException for an unknown or secret key in the table
   */
  public static Config effective(
      Map<String, String> env, Map<String, Map.Entry<String, String>> file) throws ServeException {
    return ServeLayers.layered(List.of(), env, file);
  }

  /** The setting named {@code key}. */
  public static Optional<Setting<?>> find(String key) {
    for (Setting<?> s : SETTINGS) {
      if (s.key().equals(key)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
