package dev.progcache.cli;

import dev.progcache.cache.BuildCache;
import dev.progcache.cache.Stats;
import dev.progcache.disk.DiskStore;
import dev.progcache.remote.BestEffort;
import dev.progcache.remote.ReadOnly;
import dev.progcache.remote.RemoteLog;
import dev.progcache.remote.RemoteTier;
import dev.progcache.remote.TieredCache;
import dev.progcache.remote.Uploader;
import dev.progcache.remote.http.HttpTier;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The shared-cache settings of a helper: {@code --remote URL} (or {@code PROGCACHE_REMOTE}), the
 * token from {@code PROGCACHE_TOKEN} or the file named by {@code PROGCACHE_TOKEN_FILE}, the
 * namespace ({@code --namespace}, sent as the path prefix {@code /ns/<name>/}), {@code --read-only},
 * and tuning from {@code PROGCACHE_REMOTE_*} variables. The token is never printed.
 *
 * @param url the server's URL, with the namespace's path prefix when one is set
 * @param readOnly never upload: puts are kept locally only
 */
record RemoteSettings(
    URI url,
    @Nullable String token,
    BestEffort.Policy policy,
    Uploader.Limits uploads,
    boolean readOnly) {
  private static final java.util.regex.Pattern NAMESPACE =
      java.util.regex.Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

  /** The settings, or empty when no remote is configured. */
  static Optional<RemoteSettings> from(HelperConfig cfg, Map<String, String> env)
      throws ConfigException {
    String url = cfg.config().find(HelperConfig.REMOTE).orElse("");
    if (url.isBlank()) {
      return Optional.empty();
    }
    BestEffort.Policy d = BestEffort.Policy.DEFAULT;
    BestEffort.Policy policy =
        new BestEffort.Policy(
            duration(env, "PROGCACHE_REMOTE_TIMEOUT", d.getTimeout()),
            count(env, "PROGCACHE_REMOTE_BREAKER_FAILURES", d.breakerFailures()),
            duration(env, "PROGCACHE_REMOTE_BREAKER_OPEN", d.breakerOpen()),
            duration(env, "PROGCACHE_REMOTE_NEGATIVE_TTL", d.negativeTtl()));
    Uploader.Limits u = Uploader.Limits.DEFAULT;
    Uploader.Limits uploads =
        new Uploader.Limits(
            count(env, "PROGCACHE_REMOTE_UPLOAD_QUEUE", u.queue()),
            count(env, "PROGCACHE_REMOTE_UPLOADS", u.concurrency()),
            u.timeout(),
            duration(env, "PROGCACHE_REMOTE_DRAIN", u.drain()));
    return Optional.of(
        new RemoteSettings(
            inNamespace(parseUrl(url), cfg.config().find(HelperConfig.NAMESPACE)),
            token(env, cfg.config().find(HelperConfig.TOKEN_FILE)),
            policy,
            uploads,
            cfg.config().get(HelperConfig.READ_ONLY)));
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

  /** The local store in front of this remote, with its decorators and uploader. */
  BuildCache tier(DiskStore local, Stats stats, PrintStream err) {
    RemoteLog log = new RemoteLog(stats, err);
    HttpTier http = new HttpTier(url, token, HttpTier.Settings.DEFAULT);
    RemoteTier remote = new BestEffort(http, HttpTier.describe(url), policy, log);
    if (readOnly) {
      remote = new ReadOnly(remote, log);
    }
    return new TieredCache(local, remote, new Uploader(remote, uploads, log));
  }

  static URI parseUrl(String s) throws ConfigException {
    URI u;
    try {
      u = URI.create(s.strip());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--remote / PROGCACHE_REMOTE is not a URL: " + e.getMessage());
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
      throw new ConfigException(
          "--remote / PROGCACHE_REMOTE must look like http://host:port or https://host, got \""
              + HttpTier.describe(u)
              + "\"");
    }
    if (u.getRawUserInfo() != null) {
      throw new ConfigException(
          "--remote / PROGCACHE_REMOTE must not carry credentials; put the token in"
              + " PROGCACHE_TOKEN or a file named by PROGCACHE_TOKEN_FILE");
    }
    if (u.getRawQuery() != null || u.getRawFragment() != null) {
      throw new ConfigException("--remote / PROGCACHE_REMOTE must not have a query or fragment");
    }
    return u;
  }

  private static @Nullable String token(Map<String, String> env, Optional<Path> tokenFile)
      throws ConfigException {
    String t = env.get("PROGCACHE_TOKEN");
    if (t != null && !t.isBlank()) {
      return t.strip();
    }
    if (tokenFile.isEmpty()) {
      return null;
    }
    String file = tokenFile.get().toString();
    try {
      String s = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
      if (s.isEmpty()) {
        throw new ConfigException("PROGCACHE_TOKEN_FILE " + file + " is empty");
      }
      return s;
    } catch (IOException e) {
      throw new ConfigException("cannot read PROGCACHE_TOKEN_FILE " + file + ": " + e.getMessage());
    }
  }

  private static int count(Map<String, String> env, String key, int dflt) throws ConfigException {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v.strip());
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(key + "=" + v + ": expected a positive whole number");
    }
  }

  /** Parses {@code 250ms}, {@code 3s}, {@code 2m} or plain seconds. */
  static Duration duration(Map<String, String> env, String key, Duration dflt)
      throws ConfigException {
    String v = env.get(key);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    String s = v.strip().toLowerCase(Locale.ROOT);
    try {
      if (s.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      } else if (s.endsWith("s")) {
        return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
      } else if (s.endsWith("m")) {
        return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)) * 60);
      }
      return Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000));
    } catch (NumberFormatException e) {
      throw new ConfigException(key + "=" + v + ": expected a duration such as 500ms, 5s or 1m");
    }
  }
}
