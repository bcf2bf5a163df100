package dev.progcache.cli;

import dev.progcache.cache.BuildCache;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.config.Config;
import dev.progcache.disk.DiskStore;
import dev.progcache.remote.BestEffort;
import dev.progcache.remote.CpuLoad;
import dev.progcache.remote.Prefetch;
import dev.progcache.remote.ReadOnly;
import dev.progcache.remote.RemoteLog;
import dev.progcache.remote.RemoteTier;
import dev.progcache.remote.TieredCache;
import dev.progcache.remote.Uploader;
import dev.progcache.remote.WriteGrant;
import dev.progcache.remote.http.Credentials;
import dev.progcache.remote.http.Endpoint;
import dev.progcache.remote.http.HttpTier;
import dev.progcache.remote.http.IdTokenSource;
import dev.progcache.remote.http.TokenGrants;
import dev.progcache.remote.s3.S3Location;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The shared-cache settings of a helper: either {@code --remote URL} (or {@code PROGCACHE_REMOTE})
 * with the token from {@code PROGCACHE_TOKEN} or the file named by {@code PROGCACHE_TOKEN_FILE}, or
 * {@code --s3 s3://bucket/prefix} (or {@code PROGCACHE_S3}); for {@code --remote}, the namespace
 * ({@code --namespace}, sent as the path prefix {@code /ns/<name>/} of the URL); {@code
 * --read-only}; and tuning from {@code PROGCACHE_REMOTE_*} variables. Without a token but with
 * {@code --oidc-audience} (or {@code PROGCACHE_OIDC_AUDIENCE}), the token is a GitHub Actions
 * id-token fetched in the background ({@link IdTokenSource}). The token is never printed.
 *
 * @param oidc where to fetch an id-token, or null: send {@code token}
 * @param url the HTTP server (with the namespace's path prefix), or null when the tier is S3
 * @param s3 the bucket, or null when the shared tier is HTTP
 * @param uploadYield whether uploads wait while every core is busy ({@link CpuLoad})
 */
record RemoteSettings(
    @Nullable URI url,
    @Nullable String token,
    IdTokenSource.@Nullable Request oidc,
    @Nullable S3Location s3,
    BestEffort.Policy policy,
    Uploader.Limits uploads,
    boolean uploadYield,
    boolean readOnly) {
  private static final Duration ID_TOKEN_TIMEOUT = Duration.ofSeconds(5);
  private static final java.util.regex.Pattern NAMESPACE =
      java.util.regex.Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

  /** The settings, or empty when no remote is configured. */
  static Optional<RemoteSettings> from(HelperConfig cfg, Map<String, String> env)
      throws ConfigException {
    String url = cfg.config().find(HelperConfig.REMOTE).orElse("");
    String s3 = cfg.config().find(HelperConfig.S3).orElse("");
    boolean readOnly = cfg.config().get(HelperConfig.READ_ONLY);
    boolean http = !url.isBlank();
    boolean bucket = !s3.isBlank();
    if (!http && !bucket) {
      return Optional.empty();
    }
    if (http && bucket) {
      throw new ConfigException(
          "give either --remote / PROGCACHE_REMOTE or --s3 / PROGCACHE_S3, not both; to put a"
              + " server in front of a bucket run `progcache serve --s3 ...` and point --remote at it");
    }
    Config c = cfg.config();
    BestEffort.Policy policy =
        new BestEffort.Policy(
            c.get(HelperConfig.REMOTE_TIMEOUT),
            c.get(HelperConfig.REMOTE_BREAKER_FAILURES),
            c.get(HelperConfig.REMOTE_BREAKER_OPEN),
            c.get(HelperConfig.REMOTE_NEGATIVE_TTL));
    Uploader.Limits uploads =
        new Uploader.Limits(
            c.get(HelperConfig.REMOTE_UPLOAD_QUEUE),
            c.get(HelperConfig.REMOTE_UPLOADS),
            Uploader.Limits.DEFAULT.timeout(),
            c.get(HelperConfig.REMOTE_DRAIN));
    boolean uploadYield = c.get(HelperConfig.REMOTE_UPLOAD_YIELD);
    Optional<String> ns = cfg.config().find(HelperConfig.NAMESPACE);
    if (bucket && ns.isPresent()) {
      throw new ConfigException(
          "--namespace / PROGCACHE_NAMESPACE is a keyspace of a progcache server (--remote);"
              + " for --s3 use a different bucket prefix instead");
    }
    if (bucket) {
      S3Location loc;
      try {
        loc = S3Location.parse(s3, env, "--s3 / PROGCACHE_S3");
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage());
      }
      return Optional.of(
          new RemoteSettings(null, null, null, loc, policy, uploads, uploadYield, readOnly));
    }
    String token = token(c.find(HelperConfig.TOKEN), c.find(HelperConfig.TOKEN_FILE));
    Optional<String> audience =
        cfg.config().find(HelperConfig.OIDC_AUDIENCE).filter(a -> !a.isBlank());
    IdTokenSource.Request oidc =
        token == null && audience.isPresent()
            ? new IdTokenSource.Request(
                env.get("ACTIONS_ID_TOKEN_REQUEST_URL"),
                env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
                audience.get().strip())
            : null;
    return Optional.of(
        new RemoteSettings(
            inNamespace(parseUrl(url), ns),
            token,
            oidc,
            null,
            policy,
            uploads,
            uploadYield,
            readOnly));
  }

  /** {@code url} with the path prefix {@code ns/<name>/} of namespace {@code ns}, if given. */
  static URI inNamespace(URI url, Optional<String> ns) throws ConfigException {
    if (ns.isEmpty()) {
      return url;
    }
    String n = ns.get().strip();
    if (!NAMESPACE.matcher(n).matches()) {
      throw new ConfigException(
          "--namespace / PROGCACHE_NAMESPACE \""
              + n
              + "\": a namespace is 1 to 63 of a-z 0-9 . _ -, starting with a letter or digit");
    }
    String base = url.toString();
    return URI.create((base.endsWith("/") ? base : base + "/") + "ns/" + n + "/");
  }

  /**
   * The local store in front of this remote: the tier, made best-effort, read-only when asked, and
   * its uploader. Tier clients are built in the background; this returns at once.
   */
  BuildCache tier(DiskStore local, Stats stats, PrintStream err) {
    return tier(local, stats, err, Optional.empty());
  }

  /**
   * As {@link #tier(DiskStore, Stats, PrintStream)}, prefetching for the build context {@code
   * context} names (computed in the background) when given.
   */
  BuildCache tier(DiskStore local, Stats stats, PrintStream err, Optional<Supplier<Key>> context) {
    RemoteLog log = new RemoteLog(stats, err);
    Shared s = shared(log);
    Prefetch prefetch = prefetch(local, s.remote(), context, log);
    return new Noted(
        new TieredCache(local, s.remote(), s.uploader(), prefetch).wakeIfLocalIsEmpty(), s, log);
  }

  /**
   * The shared tier a daemon keeps for its life and lends to every session of the same directory
   * and settings: the remote, made best-effort (one breaker and negative cache), read-only when
   * asked (or quietly, when the server says the token may not write: {@link WriteGrant}), and its
   * uploader. Counters and messages go to {@code log} (the daemon's).
   */
  Shared shared(RemoteLog log) {
    RemoteTier raw;
    String name;
    HttpTier http = null;
    if (s3 != null) {
      raw = s3Tier(s3, log);
      name = s3.describe();
    } else {
      URI u = java.util.Objects.requireNonNull(url);
      Credentials c =
          oidc == null
              ? Credentials.fixed(token)
              : new IdTokenSource(oidc, ID_TOKEN_TIMEOUT, java.time.Clock.systemUTC());
      http = new HttpTier(HttpTier.Config.of(u, c));
      raw = http;
      name = HttpTier.describe(u);
    }
    RemoteTier remote = new BestEffort(raw, name, policy, log);
    WriteGrant grant = null;
    if (readOnly) {
      remote = new ReadOnly(remote, log);
    } else if (http != null) {
      HttpTier h = http;
      grant =
          new WriteGrant(
              remote,
              () -> TokenGrants.ask(h).map(TokenGrants.Answer::write),
              WriteGrant.Timing.DEFAULT,
              log);
      remote = grant;
    }
    return new Shared(
        remote,
        new Uploader(remote, uploads, log, uploadYield ? CpuLoad.system() : Uploader.Load.NEVER),
        readOnly,
        grant);
  }

  /**
   * One go command's cache in a daemon: {@code local} in front of the daemon's {@code shared} tier,
   * with this session's own prefetch for {@code context}, its counters and messages in {@code
   * sessionLog} (the session's -v line and go's stderr). Closing it leaves the shared tier open.
   */
  static BuildCache session(
      DiskStore local, Shared shared, Optional<Supplier<Key>> context, RemoteLog sessionLog) {
    Prefetch prefetch = prefetch(local, shared.remote(), context, sessionLog);
    return new Noted(
        TieredCache.session(local, shared.remote(), shared.uploader(), prefetch)
            .wakeIfLocalIsEmpty(),
        shared,
        sessionLog);
  }

  private static @Nullable Prefetch prefetch(
      DiskStore local, RemoteTier remote, Optional<Supplier<Key>> context, RemoteLog log) {
    return context.isEmpty()
        ? null
        : new Prefetch(local, remote, context.get(), Prefetch.Limits.DEFAULT, log);
  }

  /**
   * A remote and its uploader, shared by the sessions of a daemon; closing drains the uploads.
   *
   * @param readOnlySetting whether read-only was set
   * @param grant what the server said the token may do, or null when it is not asked
   */
  record Shared(
      RemoteTier remote, Uploader uploader, boolean readOnlySetting, @Nullable WriteGrant grant)
      implements AutoCloseable {
    /** Whether the tier is read-only now: set so, or the token may not write. */
    boolean readOnly() {
      return readOnlySetting || (grant != null && grant.readOnly());
    }

    @Override
    public void close() {
      uploader.close();
      remote.close();
    }
  }

  /**
   * A session's cache that, once closed, counts {@link WriteGrant#READ_ONLY} in its -v line when
   * the shared tier was read-only.
   */
  private record Noted(BuildCache cache, Shared shared, RemoteLog log) implements BuildCache {
    @Override
    public java.util.concurrent.CompletableFuture<Optional<dev.progcache.cache.Hit>> get(Key a) {
      return cache.get(a);
    }

    @Override
    public Path put(Key action, Key output, long size, dev.progcache.cache.BodySource body)
        throws java.io.IOException {
      return cache.put(action, output, size, body);
    }

    @Override
    public void close() {
      cache.close();
      if (shared.readOnly()) {
        log.count(WriteGrant.READ_ONLY, 1);
      }
    }
  }

  /** Kept apart so that the SDK's classes load only when a bucket is configured. */
  private static RemoteTier s3Tier(S3Location loc, RemoteLog log) {
    return new dev.progcache.remote.s3.S3Tier(
        loc, dev.progcache.remote.s3.S3Tier.Settings.DEFAULT, log);
  }

  static URI parseUrl(String s) throws ConfigException {
    try {
      return Endpoint.parse(
          s,
          "--remote / PROGCACHE_REMOTE",
          "PROGCACHE_TOKEN or a file named by PROGCACHE_TOKEN_FILE");
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  private static @Nullable String token(Optional<String> token, Optional<Path> tokenFile)
      throws ConfigException {
    try {
      return Endpoint.token(token.orElse(null), tokenFile, "PROGCACHE_TOKEN_FILE");
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }
}
