package dev.progcache.server;

import dev.progcache.modproxy.ModProxySettings;
import dev.progcache.remote.BestEffort;
import dev.progcache.remote.Uploader;
import dev.progcache.remote.http.Endpoint;
import dev.progcache.remote.http.HttpTier;
import dev.progcache.remote.s3.S3Location;
import dev.progcache.server.auth.OidcSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Settings of {@code progcache serve}, from flags and {@code PROGCACHE_SERVE_*} variables.
 *
 * @param host address to listen on
 * @param port port (0: any free one)
 * @param dir storage directory
 * @param tokens the tokens file, or null for no authentication (loopback only)
 * @param limits sizes, counts and times
 * @param accessLog how requests are logged on stderr, if at all
 * @param s3 the bucket behind the disk, or null: then the disk is the only store
 * @param trust anonymous access and namespace limits
 * @param upstream the server this one reads through to (an edge cache), or null
 * @param modules the module proxy's settings ({@code --modproxy}), or null: no module proxy
 * @param metricsListen a second address serving only {@code /metrics}, to anyone who reaches it, or
 *     null: then {@code /metrics} is served on the main address to tokens with the metrics grant
 */
public record ServeConfig(
    String host,
    int port,
    Path dir,
    @Nullable Path tokens,
    Limits limits,
    AccessLogSettings accessLog,
    @Nullable S3Location s3,
    Trust trust,
    @Nullable Edge upstream,
    @Nullable ModProxySettings modules,
    @Nullable InetSocketAddress metricsListen) {

  /** A server of {@code dir} alone: no bucket, the default trust settings, no upstream. */
  public static ServeConfig onDisk(
      String host, int port, Path dir, @Nullable Path tokens, Limits limits, boolean accessLog) {
    return new ServeConfig(
        host,
        port,
        dir,
        tokens,
        limits,
        accessLog ? AccessLogSettings.DEFAULT : AccessLogSettings.NONE,
        null,
        Trust.DEFAULT,
        null,
        null,
        null);
  }

  /** How the access log looks ({@code --access-log}); {@code OFF}: there is none. */
  public enum LogFormat {
    COMMON,
    JSON,
    OFF
  }

  /**
   * The access log's settings.
   *
   * @param format its lines' format, or {@code OFF}
   * @param probes whether health probes ({@code GET /healthz}) are logged too
   */
  public record AccessLogSettings(LogFormat format, boolean probes) {
    public static final AccessLogSettings DEFAULT = new AccessLogSettings(LogFormat.COMMON, false);
    public static final AccessLogSettings NONE = new AccessLogSettings(LogFormat.OFF, false);
  }

  /** These settings with {@code t} for who may use the server. */
  public ServeConfig withTrust(Trust t) {
    return new ServeConfig(
        host, port, dir, tokens, limits, accessLog, s3, t, upstream, modules, metricsListen);
  }

  /** These settings with the module proxy {@code m} (null: none). */
  public ServeConfig withModules(@Nullable ModProxySettings m) {
    return new ServeConfig(
        host, port, dir, tokens, limits, accessLog, s3, trust, upstream, m, metricsListen);
  }

  /** These settings serving {@code /metrics} on {@code at} (unresolved host and port) as well. */
  public ServeConfig withMetricsListen(@Nullable InetSocketAddress at) {
    return new ServeConfig(
        host, port, dir, tokens, limits, accessLog, s3, trust, upstream, modules, at);
  }

  /**
   * Who may use the server without a token, whether OIDC tokens are accepted, and how big and how
   * many namespaces other than {@code main} grow.
   *
   * @param insecureAnonymous requests without a token may read {@code main}, even off loopback
   * @param anonymousWrite with {@code insecureAnonymous}: they may also write {@code main}
   * @param maxNamespaceSize size limit of each namespace other than {@code main}
   * @param maxNamespaces how many namespaces other than {@code main} may exist
   * @param oidc how OIDC id-tokens are verified and mapped to grants, or null: not accepted
   */
  public record Trust(
      boolean insecureAnonymous,
      boolean anonymousWrite,
      long maxNamespaceSize,
      int maxNamespaces,
      @Nullable OidcSettings oidc) {
    public static final Trust DEFAULT = new Trust(false, false, 1L << 30, 256, null);

    /** These settings accepting OIDC tokens as {@code o} says. */
    public Trust withOidc(@Nullable OidcSettings o) {
      return new Trust(insecureAnonymous, anonymousWrite, maxNamespaceSize, maxNamespaces, o);
    }
  }

  /** Whether requests are authenticated (a tokens file or OIDC), not open to loopback. */
  public boolean authenticated() {
    return tokens != null || trust.oidc() != null;
  }

  /**
   * The upstream of an edge cache and how hard to try it. {@link #toString} leaves the token out.
   *
   * @param url the upstream server's base URL
   * @param token the bearer token sent upstream, or null
   * @param readOnly whether to only read through (forward no PUTs)
   * @param policy deadlines, breaker and negative cache of upstream reads and writes
   * @param uploads bounds of the write-behind queue
   */
  public record Edge(
      URI url,
      @Nullable String token,
      boolean readOnly,
      BestEffort.Policy policy,
      Uploader.Limits uploads) {
    /** Where the upstream token comes from, for messages about denials. */
    public static final String HINT =
        "check PROGCACHE_SERVE_UPSTREAM_TOKEN / --upstream-token-file and that token's grants and"
            + " namespaces on the upstream server";

    /** Forwarded uploads still queued at shutdown get this long by default. */
    static final Duration DRAIN = Duration.ofSeconds(30);

    @Override
    public String toString() {
      return "Edge[url="
          + HttpTier.describe(url)
          + ", token="
          + (token == null ? "none" : "(hidden)")
          + ", readOnly="
          + readOnly
          + ", policy="
          + policy
          + ", uploads="
          + uploads
          + "]";
    }
  }

  /** Resource limits of the server. */
  public record Limits(
      long maxSize,
      long maxObject,
      int maxRequests,
      Duration requestTimeout,
      int maxHeader,
      long lz4Min) {}

  public static final String USAGE =
      """
      usage: progcache serve [flags]
      Each flag is also PROGCACHE_SERVE_<FLAG> in the environment (PROGCACHE_SERVE_MAX_SIZE=20G,
      PROGCACHE_SERVE_INSECURE_ANONYMOUS=true) and a key of the [serve] table of the config file
      (max-size = 20G); flag > environment > file > default. Sizes like 512M, 10G or 10GiB;
      durations like 500ms, 30s or 5m.
        --listen HOST:PORT    address (default 127.0.0.1:8421; port 0 picks a free one)
        --dir DIR             storage directory (env PROGCACHE_SERVE_DIR; default ~/.cache/progcache-serve)
        --max-size SIZE       evict least recently used objects above this total (default 10G)
        --max-object SIZE     largest object accepted (default 1G; 413 above)
        --tokens FILE         bearer tokens, stored hashed, with grants and namespaces
                              (env PROGCACHE_SERVE_TOKENS_FILE; make lines with
                              "progcache token create"; reloaded when it changes); without it
                              the server only listens on loopback and anyone there may read
                              and write namespace main
        --insecure-anonymous  requests without a token may read namespace main, even on a
                              non-loopback address without --tokens (logged loudly)
        --anonymous-write     with --insecure-anonymous: they may also write main (unsafe)
        --max-ns-size SIZE    size limit of each namespace other than main (default 1G)
        --max-namespaces N    namespaces besides main the server may hold (default 256); a
                              write that would create one more gets 507
        --oidc-issuer URL     accept OIDC id-tokens from this issuer as bearer tokens (env
                              PROGCACHE_SERVE_OIDC_ISSUER; GitHub Actions:
                              https://token.actions.githubusercontent.com); its keys come from
                              URL/.well-known/openid-configuration unless --oidc-jwks is given
        --oidc-audience AUD   the audience tokens must name (env PROGCACHE_SERVE_OIDC_AUDIENCE)
        --oidc-rules FILE     claim rules mapping tokens to grants and namespaces (env
                              PROGCACHE_SERVE_OIDC_RULES; see docs/remote.md)
        --oidc-jwks URL       the issuer's key set, instead of discovering it
                              (env PROGCACHE_SERVE_OIDC_JWKS)
        --oidc-clock-skew D   tolerance on token times (default 60s)
        --max-requests N      requests handled at once (default 256; more wait, then 503)
        --request-timeout D   time limit for one request body (default 60s)
        --lz4-min SIZE        compress bodies at least this big for clients that accept lz4 (default 4K)
        --s3 s3://BUCKET[/PREFIX]
                              back the disk with an S3-compatible bucket (env PROGCACHE_SERVE_S3):
                              the disk becomes a --max-size hot tier, misses fall through to the
                              bucket, PUTs land in the bucket before 204; replicas may share it.
                              PROGCACHE_S3_REGION / _ENDPOINT / _PATH_STYLE and the AWS credential
                              chain apply
        --upstream URL        an edge cache: read through to the progcache (or gocached-compatible)
                              server at URL on a miss, keeping a verified copy here, and forward
                              PUTs to it in the background (env PROGCACHE_SERVE_UPSTREAM); its
                              token comes from env PROGCACHE_SERVE_UPSTREAM_TOKEN or the file
                              given by --upstream-token-file / PROGCACHE_SERVE_UPSTREAM_TOKEN_FILE.
                              Namespace main maps to URL, namespace N to URL/ns/N/
        --upstream-read-only  read through only; forward no PUTs
        --upstream-timeout D  time limit of one upstream read, body included (default 10s)
        --upstream-drain D    at shutdown, how long queued forwards may take (default 30s)
        --access-log F        how requests are logged on stderr: common (the common log
                              format, the default), json (one object per line) or off
        --access-log-probes   log health probes (GET /healthz) too
        --no-access-log       the same as --access-log off
        --modproxy[=UPSTREAM] also serve go's module proxy protocol (GOPROXY) and checksum
                              database pass-through under /mod/ (env PROGCACHE_SERVE_MODPROXY);
                              UPSTREAM is a GOPROXY-style list of proxy URLs (, or |), default:
                              with --upstream the central server's /mod/, else the proxies
                              `go env GOPROXY` names on this machine. See docs/modproxy.md
        --max-module-size SIZE  largest module file fetched (default 500M)
        --modproxy-list-ttl D   how long a version list or @latest is served before it is
                              asked again (default 60s; served stale while the upstream fails)
        --modproxy-netrc FILE   basic credentials for upstream proxy hosts (netrc format)
        --modproxy-header-file FILE
                              headers ("Name: value" lines) sent to every upstream proxy
        --modproxy-rate N     module requests each token may send per second; more get 429
                              with Retry-After (env PROGCACHE_SERVE_MODPROXY_RATE; default off)
        --metrics-listen [HOST:]PORT
                              also serve /metrics, and only that, on this address without a
                              token (env PROGCACHE_SERVE_METRICS_LISTEN; HOST defaults to
                              127.0.0.1). On the main address /metrics needs a token with the
                              metrics grant (progcache token create --metrics) and shows only
                              the namespaces that token reads
      """;

  private static LogFormat logFormat(String v) throws ServeException {
    return switch (v) {
      case "common" -> LogFormat.COMMON;
      case "json" -> LogFormat.JSON;
      case "off" -> LogFormat.OFF;
      default -> throw new ServeException("--access-log " + v + ": expected common, json or off");
    };
  }

  public static ServeConfig parse(List<String> args, Map<String, String> env)
      throws ServeException {
    return parse(args, env, Map.of());
  }

  /**
   * Parses the server's settings: flags, then {@code PROGCACHE_SERVE_*} variables, then the config
   * file's {@code [serve]} table, then defaults (see {@link ServeLayers}).
   *
   * @param file the {@code [serve]} table: values by key, each with where it was written
   */
  public static ServeConfig parse(
      List<String> args, Map<String, String> env, Map<String, Map.Entry<String, String>> file)
      throws ServeException {
    return parseFlags(ServeLayers.asFlags(args, env, file), env);
  }

  private static ServeConfig parseFlags(List<String> args, Map<String, String> env)
      throws ServeException {
    String listen = "127.0.0.1:8421";
    String dir = env.get("PROGCACHE_SERVE_DIR");
    String tokens = env.get("PROGCACHE_SERVE_TOKENS_FILE");
    long maxSize = 10L << 30;
    long maxObject = 1L << 30;
    int maxRequests = 256;
    Duration timeout = Duration.ofSeconds(60);
    long lz4Min = 4096;
    LogFormat accessLog = LogFormat.COMMON;
    boolean probes = false;
    boolean anonymous = false;
    boolean anonymousWrite = false;
    long maxNs = Trust.DEFAULT.maxNamespaceSize();
    int maxNamespaces = Trust.DEFAULT.maxNamespaces();
    String oidcIssuer = env.get("PROGCACHE_SERVE_OIDC_ISSUER");
    String oidcAudience = env.get("PROGCACHE_SERVE_OIDC_AUDIENCE");
    String oidcRules = env.get("PROGCACHE_SERVE_OIDC_RULES");
    String oidcJwks = env.get("PROGCACHE_SERVE_OIDC_JWKS");
    Duration skew = OidcSettings.DEFAULT_SKEW;
    String s3 = env.get("PROGCACHE_SERVE_S3");
    String upstream = env.get("PROGCACHE_SERVE_UPSTREAM");
    String metricsListen = env.get("PROGCACHE_SERVE_METRICS_LISTEN");
    String upstreamTokenFile = env.get("PROGCACHE_SERVE_UPSTREAM_TOKEN_FILE");
    boolean upstreamReadOnly = false;
    Duration upstreamTimeout = BestEffort.Policy.DEFAULT.getTimeout();
    Duration upstreamDrain = Edge.DRAIN;
    String modproxy = env.get("PROGCACHE_SERVE_MODPROXY");
    long maxModule = ModProxySettings.DEFAULT_MAX_MODULE_SIZE;
    Duration listTtl = ModProxySettings.DEFAULT_LIST_TTL;
    String modNetrc = null;
    String modHeaders = null;
    int modRate = 0;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (a.equals("--modproxy")) {
        // the upstream list is optional: a next argument that is not a flag is it
        boolean given = i + 1 < args.size() && !args.get(i + 1).startsWith("-");
        modproxy = given ? args.get(++i) : ModProxySettings.DEFAULT;
        continue;
      }
      if (name.equals("--no-access-log")) {
        accessLog = LogFormat.OFF;
        continue;
      }
      if (name.equals("--access-log-probes")) {
        probes = true;
        continue;
      }
      if (name.equals("--insecure-anonymous")) {
        anonymous = true;
        continue;
      }
      if (name.equals("--anonymous-write")) {
        anonymousWrite = true;
        continue;
      }
      if (name.equals("--upstream-read-only")) {
        upstreamReadOnly = true;
        continue;
      }
      String v;
      if (a.contains("=")) {
        v = a.substring(a.indexOf('=') + 1);
      } else if (i + 1 < args.size()) {
        v = args.get(++i);
      } else {
        throw new ServeException(a + " needs a value (progcache serve --help shows the usage)");
      }
      switch (name) {
        case "--listen" -> listen = v;
        case "--dir" -> dir = v;
        case "--access-log" -> accessLog = logFormat(v);
        case "--tokens" -> tokens = v;
        case "--s3" -> s3 = v;
        case "--max-size" -> maxSize = size(name, v);
        case "--max-object" -> maxObject = size(name, v);
        case "--lz4-min" -> lz4Min = size(name, v);
        case "--max-ns-size" -> maxNs = size(name, v);
        case "--max-requests" -> maxRequests = (int) Math.min(100_000, size(name, v));
        case "--max-namespaces" -> maxNamespaces = (int) Math.min(1_000_000, size(name, v));
        case "--oidc-issuer" -> oidcIssuer = v;
        case "--oidc-audience" -> oidcAudience = v;
        case "--oidc-rules" -> oidcRules = v;
        case "--oidc-jwks" -> oidcJwks = v;
        case "--oidc-clock-skew" -> skew = Duration.ofMillis(seconds(name, v));
        case "--request-timeout" -> timeout = Duration.ofMillis(Math.max(1, seconds(name, v)));
        case "--upstream" -> upstream = v;
        case "--metrics-listen" -> metricsListen = v;
        case "--upstream-token-file" -> upstreamTokenFile = v;
        case "--upstream-timeout" ->
            upstreamTimeout = Duration.ofMillis(Math.max(1, seconds(name, v)));
        case "--upstream-drain" -> upstreamDrain = Duration.ofMillis(Math.max(0, seconds(name, v)));
        case "--modproxy" -> modproxy = v;
        case "--max-module-size" -> maxModule = size(name, v);
        case "--modproxy-list-ttl" -> listTtl = Duration.ofMillis(Math.max(0, seconds(name, v)));
        case "--modproxy-netrc" -> modNetrc = v;
        case "--modproxy-header-file" -> modHeaders = v;
        case "--modproxy-rate" -> modRate = rate(name, v);
        default ->
            throw new ServeException(
                "unknown flag " + a + " (progcache serve --help shows the usage)");
      }
    }
    int colon = listen.lastIndexOf(':');
    if (colon < 0) {
      throw new ServeException("--listen " + listen + ": expected HOST:PORT");
    }
    String host = listen.substring(0, colon).replace("[", "").replace("]", "");
    int port;
    try {
      port = Integer.parseInt(listen.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new ServeException("--listen " + listen + ": bad port");
    }
    if (host.isEmpty()) {
      host = "0.0.0.0";
    }
    Path tokensPath = tokens == null || tokens.isBlank() ? null : Path.of(tokens);
    if (anonymousWrite && !anonymous) {
      throw new ServeException("--anonymous-write needs --insecure-anonymous");
    }
    OidcSettings oidc = OidcSettings.of(oidcIssuer, oidcAudience, oidcJwks, oidcRules, skew);
    if (tokensPath == null && oidc == null && !anonymous && !loopback(host)) {
      throw new ServeException(
          "refusing to listen on "
              + host
              + " without --tokens or --oidc-issuer: anyone who can reach it could read and write"
              + " the cache. Give --tokens FILE (progcache token create makes one), accept CI"
              + " tokens with --oidc-issuer, or listen on 127.0.0.1");
    }
    Path d =
        dir != null && !dir.isBlank()
            ? Path.of(dir)
            : Path.of(System.getProperty("user.home"), ".cache", "progcache-serve");
    Limits l = new Limits(maxSize, maxObject, maxRequests, timeout, 8192, lz4Min);
    S3Location bucket = null;
    if (s3 != null && !s3.isBlank()) {
      try {
        bucket = S3Location.parse(s3, env, "--s3 / PROGCACHE_SERVE_S3");
      } catch (IllegalArgumentException e) {
        throw new ServeException(e.getMessage());
      }
    }
    Edge edge =
        edge(
            upstream,
            env.get("PROGCACHE_SERVE_UPSTREAM_TOKEN"),
            upstreamTokenFile,
            new Edge(
                URI.create("http://unset/"),
                null,
                upstreamReadOnly,
                new BestEffort.Policy(
                    upstreamTimeout,
                    BestEffort.Policy.DEFAULT.breakerFailures(),
                    BestEffort.Policy.DEFAULT.breakerOpen(),
                    BestEffort.Policy.DEFAULT.negativeTtl()),
                new Uploader.Limits(
                    Uploader.Limits.DEFAULT.queue(),
                    Uploader.Limits.DEFAULT.concurrency(),
                    Uploader.Limits.DEFAULT.timeout(),
                    upstreamDrain)));
    if (edge != null && bucket != null) {
      throw new ServeException(
          "give either --upstream or --s3, not both: an edge cache keeps its copy on its own disk;"
              + " put --s3 on the upstream server instead");
    }
    if (edge != null && sameAddress(edge.url(), host, port)) {
      throw new ServeException(
          "--upstream "
              + HttpTier.describe(edge.url())
              + " is this server's own address (--listen "
              + listen
              + "); point it at another server");
    }
    ModProxySettings modules = null;
    if (modproxy != null && !modproxy.isBlank()) {
      try {
        modules =
            ModProxySettings.of(
                    modproxy,
                    maxModule,
                    listTtl,
                    modNetrc == null ? null : Path.of(modNetrc),
                    modHeaders == null ? null : Path.of(modHeaders))
                .withRate(modRate);
      } catch (IllegalArgumentException e) {
        throw new ServeException(e.getMessage());
      }
    } else if (modNetrc != null || modHeaders != null) {
      throw new ServeException("--modproxy-netrc and --modproxy-header-file need --modproxy");
    } else if (modRate > 0) {
      throw new ServeException("--modproxy-rate needs --modproxy");
    }
    return new ServeConfig(
        host,
        port,
        d.toAbsolutePath().normalize(),
        tokensPath,
        l,
        new AccessLogSettings(accessLog, probes),
        bucket,
        new Trust(anonymous, anonymousWrite, maxNs, maxNamespaces, oidc),
        edge,
        modules,
        metricsAddress(metricsListen));
  }

  /** {@code PORT} (on 127.0.0.1) or {@code HOST:PORT}, unresolved; null when not given. */
  private static @Nullable InetSocketAddress metricsAddress(@Nullable String v)
      throws ServeException {
    if (v == null || v.isBlank()) {
      return null;
    }
    int colon = v.lastIndexOf(':');
    String host = colon < 0 ? "127.0.0.1" : v.substring(0, colon).replace("[", "").replace("]", "");
    try {
      int port = Integer.parseInt(v.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return InetSocketAddress.createUnresolved(host.isEmpty() ? "127.0.0.1" : host, port);
    } catch (NumberFormatException e) {
      throw new ServeException("--metrics-listen " + v + ": expected PORT or HOST:PORT");
    }
  }

  /**
   * The upstream settings: {@code tuning} with the URL and token filled in, or null without a URL.
   */
  private static @Nullable Edge edge(
      @Nullable String url, @Nullable String token, @Nullable String tokenFile, Edge tuning)
      throws ServeException {
    boolean tokenGiven =
        token != null && !token.isBlank() || tokenFile != null && !tokenFile.isBlank();
    if (url == null || url.isBlank()) {
      if (tokenGiven || tuning.readOnly()) {
        throw new ServeException(
            "an upstream token or --upstream-read-only was given without --upstream /"
                + " PROGCACHE_SERVE_UPSTREAM URL");
      }
      return null;
    }
    try {
      URI u =
          Endpoint.parse(
              url,
              "--upstream / PROGCACHE_SERVE_UPSTREAM",
              "PROGCACHE_SERVE_UPSTREAM_TOKEN or a file named by --upstream-token-file");
      String t =
          Endpoint.token(
              token,
              Optional.ofNullable(tokenFile).filter(f -> !f.isBlank()).map(Path::of),
              "--upstream-token-file / PROGCACHE_SERVE_UPSTREAM_TOKEN_FILE");
      return new Edge(u, t, tuning.readOnly(), tuning.policy(), tuning.uploads());
    } catch (IllegalArgumentException e) {
      throw new ServeException(e.getMessage());
    }
  }

  /** Whether {@code u} names the address this server listens on (a loop of requests). */
  private static boolean sameAddress(URI u, String host, int port) {
    int p = u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    if (port == 0 || p != port) {
      return false;
    }
    if (u.getHost().equalsIgnoreCase(host) || host.equals("0.0.0.0") || host.equals("::")) {
      return true;
    }
    return loopback(host) && loopback(u.getHost().replace("[", "").replace("]", ""));
  }

  private static boolean loopback(String host) {
    try {
      for (InetAddress a : InetAddress.getAllByName(host)) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** A size in the one grammar ({@link dev.progcache.cache.Units#size}): 512M, 10G, 10GiB. */
  static long size(String flag, String v) throws ServeException {
    try {
      return dev.progcache.cache.Units.size(v);
    } catch (IllegalArgumentException e) {
      throw new ServeException(
          flag + " " + v + ": " + e.getMessage() + "; expected a size such as 512M, 10G or 10GiB");
    }
  }

  /** Requests per second: a whole number, 0 or off for no bound. */
  private static int rate(String flag, String v) throws ServeException {
    try {
      String t = v.strip();
      return t.equalsIgnoreCase("off")
          ? 0
          : (int) Math.min(1_000_000, dev.progcache.cache.Units.number(t));
    } catch (IllegalArgumentException e) {
      throw new ServeException(
          flag
              + " "
              + v
              + ": "
              + e.getMessage()
              + "; expected requests per second, e.g. 50, or off");
    }
  }

  /**
   * Milliseconds of a duration in the one grammar ({@link dev.progcache.cache.Units#duration}):
   * 500ms, 30s, 5m; a plain number is seconds, as these flags always took.
   */
  private static long seconds(String flag, String v) throws ServeException {
    try {
      String t = v.strip();
      return t.matches("[0-9]+")
          ? Math.multiplyExact(Long.parseLong(t), 1000)
          : dev.progcache.cache.Units.duration(t).toMillis();
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new ServeException(
          flag
              + " "
              + v
              + ": "
              + e.getMessage()
              + "; expected a duration such as 500ms, 30s or 2m");
    }
  }
}
