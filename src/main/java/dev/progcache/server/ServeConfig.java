package dev.progcache.server;

import dev.progcache.modproxy.ModProxySettings;
import dev.progcache.remote.BestEffort;
import dev.progcache.remote.Uploader;
import dev.progcache.remote.http.HttpTier;
import dev.progcache.remote.s3.S3Location;
import dev.progcache.server.auth.OidcSettings;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Settings of {@code progcache serve}, from flags, {@code PROGCACHE_SERVE_*} variables and the
 * config file (each declared once in {@link ServeSettings}).
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

  /** The usage text: every setting of {@link ServeSettings#SETTINGS}. */
  public static final String USAGE =
      ServeUsage.text(ServeSettings.SETTINGS, ServeSettings.FORMER_ENV);

  public static ServeConfig parse(List<String> args, Map<String, String> env)
      throws ServeException {
    return parse(args, env, Map.of());
  }

  /**
   * Parses the server's settings: flags, then {@code PROGCACHE_SERVE_*} variables, then the config
   * file's {@code [serve]} table, then defaults (see {@link ServeSettings}).
   *
   * @param file the {@code [serve]} table: values by key, each with where it was written
   * @throws ServeException for a bad value, naming the setting, where it was given, the value and
   *     what is accepted; or for settings that do not go together
   */
  public static ServeConfig parse(
      List<String> args, Map<String, String> env, Map<String, Map.Entry<String, String>> file)
      throws ServeException {
    return ServeBuild.of(ServeLayers.resolve(args, env, file), env);
  }
}
