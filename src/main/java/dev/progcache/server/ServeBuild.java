package dev.progcache.server;

import static dev.progcache.server.ServeSettings.ACCESS_LOG;
import static dev.progcache.server.ServeSettings.ACCESS_LOG_PROBES;
import static dev.progcache.server.ServeSettings.ANONYMOUS_WRITE;
import static dev.progcache.server.ServeSettings.DIR;
import static dev.progcache.server.ServeSettings.INSECURE_ANONYMOUS;
import static dev.progcache.server.ServeSettings.LISTEN;
import static dev.progcache.server.ServeSettings.LZ4_MIN;
import static dev.progcache.server.ServeSettings.MAX_MODULE_SIZE;
import static dev.progcache.server.ServeSettings.MAX_NAMESPACES;
import static dev.progcache.server.ServeSettings.MAX_NS_SIZE;
import static dev.progcache.server.ServeSettings.MAX_OBJECT;
import static dev.progcache.server.ServeSettings.MAX_REQUESTS;
import static dev.progcache.server.ServeSettings.MAX_SIZE;
import static dev.progcache.server.ServeSettings.METRICS_LISTEN;
import static dev.progcache.server.ServeSettings.MODPROXY;
import static dev.progcache.server.ServeSettings.MODPROXY_HEADER_FILE;
import static dev.progcache.server.ServeSettings.MODPROXY_LIST_TTL;
import static dev.progcache.server.ServeSettings.MODPROXY_NETRC;
import static dev.progcache.server.ServeSettings.MODPROXY_RATE;
import static dev.progcache.server.ServeSettings.NO_ACCESS_LOG;
import static dev.progcache.server.ServeSettings.OIDC_AUDIENCE;
import static dev.progcache.server.ServeSettings.OIDC_CLOCK_SKEW;
import static dev.progcache.server.ServeSettings.OIDC_ISSUER;
import static dev.progcache.server.ServeSettings.OIDC_JWKS;
import static dev.progcache.server.ServeSettings.OIDC_RULES;
import static dev.progcache.server.ServeSettings.REQUEST_TIMEOUT;
import static dev.progcache.server.ServeSettings.S3;
import static dev.progcache.server.ServeSettings.TOKENS;
import static dev.progcache.server.ServeSettings.UPSTREAM;
import static dev.progcache.server.ServeSettings.UPSTREAM_DRAIN;
import static dev.progcache.server.ServeSettings.UPSTREAM_READ_ONLY;
import static dev.progcache.server.ServeSettings.UPSTREAM_TIMEOUT;
import static dev.progcache.server.ServeSettings.UPSTREAM_TOKEN;
import static dev.progcache.server.ServeSettings.UPSTREAM_TOKEN_FILE;

import dev.progcache.config.Config;
import dev.progcache.modproxy.ModProxySettings;
import dev.progcache.remote.BestEffort;
import dev.progcache.remote.Uploader;
import dev.progcache.remote.http.Endpoint;
import dev.progcache.remote.http.HttpTier;
import dev.progcache.remote.s3.S3Location;
import dev.progcache.server.ServeConfig.AccessLogSettings;
import dev.progcache.server.ServeConfig.Edge;
import dev.progcache.server.ServeConfig.Limits;
import dev.progcache.server.ServeConfig.LogFormat;
import dev.progcache.server.ServeConfig.Trust;
import dev.progcache.server.auth.OidcSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link ServeConfig} from the effective settings (see {@link ServeLayers}) and checks
 * what no single value shows: the settings that need each other, and who may reach the server.
 * Stateless.
 */
final class ServeBuild {
  private ServeBuild() {}

  /**
   * The server's configuration.
   *
   * @param env the environment, for the S3 settings ({@code PROGCACHE_S3_*}, AWS credentials)
   * @throws ServeException naming the settings that do not go together, and what to give instead
   */
  static ServeConfig of(Config c, Map<String, String> env) throws ServeException {
    InetSocketAddress listen = c.get(LISTEN);
    String host = listen.getHostString().isEmpty() ? "0.0.0.0" : listen.getHostString();
    int port = listen.getPort();
    Path tokens = c.find(TOKENS).orElse(null);
    boolean anonymous = c.get(INSECURE_ANONYMOUS);
    boolean anonymousWrite = c.get(ANONYMOUS_WRITE);
    if (anonymousWrite && !anonymous) {
      throw new ServeException("--anonymous-write needs --insecure-anonymous");
    }
    OidcSettings oidc =
        OidcSettings.of(
            text(c, OIDC_ISSUER),
            text(c, OIDC_AUDIENCE),
            text(c, OIDC_JWKS),
            c.find(OIDC_RULES).map(Path::toString).orElse(null),
            c.get(OIDC_CLOCK_SKEW));
    if (tokens == null && oidc == null && !anonymous && !loopback(host)) {
      throw new ServeException(
          "refusing to listen on "
              + host
              + " without --tokens or --oidc-issuer: anyone who can reach it could read and write"
              + " the cache. Give --tokens FILE (progcache token create makes one), accept CI"
              + " tokens with --oidc-issuer, or listen on 127.0.0.1");
    }
    Path dir =
        c.find(DIR).orElse(Path.of(System.getProperty("user.home"), ".cache", "progcache-serve"));
    S3Location bucket = null;
    if (c.find(S3).isPresent()) {
      try {
        bucket = S3Location.parse(c.get(S3), env, "--s3 / PROGCACHE_SERVE_S3");
      } catch (IllegalArgumentException e) {
        throw new ServeException(e.getMessage());
      }
    }
    Edge edge = edge(c);
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
              + c.value(LISTEN).raw()
              + "); point it at another server");
    }
    return new ServeConfig(
        host,
        port,
        dir.toAbsolutePath().normalize(),
        tokens,
        new Limits(
            c.get(MAX_SIZE),
            c.get(MAX_OBJECT),
            c.get(MAX_REQUESTS),
            c.get(REQUEST_TIMEOUT),
            8192,
            c.get(LZ4_MIN)),
        new AccessLogSettings(
            c.get(NO_ACCESS_LOG) ? LogFormat.OFF : c.get(ACCESS_LOG), c.get(ACCESS_LOG_PROBES)),
        bucket,
        new Trust(anonymous, anonymousWrite, c.get(MAX_NS_SIZE), c.get(MAX_NAMESPACES), oidc),
        edge,
        modules(c),
        c.find(METRICS_LISTEN).orElse(null));
  }

  private static @Nullable String text(Config c, dev.progcache.config.Setting<String> s) {
    return c.find(s).orElse(null);
  }

  /** The module proxy's settings, or null without {@code --modproxy}. */
  private static @Nullable ModProxySettings modules(Config c) throws ServeException {
    Optional<String> modproxy = c.find(MODPROXY);
    Optional<Path> netrc = c.find(MODPROXY_NETRC);
    Optional<Path> headers = c.find(MODPROXY_HEADER_FILE);
    int rate = c.get(MODPROXY_RATE);
    if (modproxy.isEmpty()) {
      if (netrc.isPresent() || headers.isPresent()) {
        throw new ServeException("--modproxy-netrc and --modproxy-header-file need --modproxy");
      }
      if (rate > 0) {
        throw new ServeException("--modproxy-rate needs --modproxy");
      }
      return null;
    }
    try {
      return ModProxySettings.of(
              modproxy.get(),
              c.get(MAX_MODULE_SIZE),
              c.get(MODPROXY_LIST_TTL),
              netrc.orElse(null),
              headers.orElse(null))
          .withRate(rate);
    } catch (IllegalArgumentException e) {
      throw new ServeException(e.getMessage());
    }
  }

  /** The upstream of an edge cache, or null without {@code --upstream}. */
  private static @Nullable Edge edge(Config c) throws ServeException {
    Optional<String> url = c.find(UPSTREAM);
    Optional<String> token = c.find(UPSTREAM_TOKEN);
    Optional<Path> tokenFile = c.find(UPSTREAM_TOKEN_FILE);
    boolean readOnly = c.get(UPSTREAM_READ_ONLY);
    if (url.isEmpty()) {
      if (token.isPresent() || tokenFile.isPresent() || readOnly) {
        throw new ServeException(
            "an upstream token or --upstream-read-only was given without --upstream /"
                + " PROGCACHE_SERVE_UPSTREAM URL");
      }
      return null;
    }
    BestEffort.Policy d = BestEffort.Policy.DEFAULT;
    Uploader.Limits u = Uploader.Limits.DEFAULT;
    try {
      return new Edge(
          Endpoint.parse(
              url.get(),
              "--upstream / PROGCACHE_SERVE_UPSTREAM",
              "PROGCACHE_SERVE_UPSTREAM_TOKEN or a file named by --upstream-token-file"),
          Endpoint.token(
              token.orElse(null),
              tokenFile,
              "--upstream-token-file / PROGCACHE_SERVE_UPSTREAM_TOKEN_FILE"),
          readOnly,
          new BestEffort.Policy(
              c.get(UPSTREAM_TIMEOUT), d.breakerFailures(), d.breakerOpen(), d.negativeTtl()),
          new Uploader.Limits(u.queue(), u.concurrency(), u.timeout(), c.get(UPSTREAM_DRAIN)));
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
}
