package dev.progcache.modproxy;

import dev.progcache.cache.Metric;
import dev.progcache.cache.Stats;
import dev.progcache.remote.s3.S3Location;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.jspecify.annotations.Nullable;

/**
 * The module proxy of one server: its stores (this disk, bounded; the bucket when the server has
 * one), its upstream proxies and its counters. {@link #handler} puts it in front of the server's
 * handlers.
 *
 * <p>Thread-safe. {@link #close} drops the connections to the upstreams and the bucket.
 */
public final class ModProxy implements AutoCloseable {
  /**
   * Whether a request may use the module proxy: 200, or 401/403 (429 over the rate) with a reason
   * safe to show; {@code principal} names who asked (its requests are counted against the rate).
   */
  public record Verdict(int status, String reason, String principal) {
    public static final Verdict OK = new Verdict(200, "ok");

    public Verdict(int status, String reason) {
      this(status, reason, "anonymous");
    }

    /** Allowed, for {@code principal}. */
    public static Verdict ok(String principal) {
      return new Verdict(200, "ok", principal);
    }
  }

  /** The server's token check for module requests (the {@code modules} grant). */
  @FunctionalInterface
  public interface Access {
    Verdict check(Request req);
  }

  /**
   * Where the proxy keeps files and what the server it runs in reads through to.
   *
   * @param dir its directory on this disk (created)
   * @param maxBytes the most bytes it keeps there (least recently served go first)
   * @param s3 the server's bucket, shared by replicas, or null
   * @param edge an edge server's central server, the default upstream (its /mod/), or null
   * @param edgeToken the token sent to the central server, or null
   */
  public record Where(
      Path dir,
      long maxBytes,
      @Nullable S3Location s3,
      @Nullable URI edge,
      @Nullable String edgeToken) {}

  /** What the status page shows. */
  public record Summary(
      String upstreams,
      long bytes,
      long limitBytes,
      long files,
      long hits,
      long misses,
      long sharedHits,
      long upstreamErrors,
      long staleLists,
      long bytesServed) {}

  private final DiskFiles disk;
  private final @Nullable ModStore shared;
  private final Upstreams upstreams;
  private final StoredFiles files;
  private final Listings listings;
  private final Stats stats = new Stats();
  private final @Nullable TokenRates rates;

  private ModProxy(
      DiskFiles disk,
      @Nullable ModStore shared,
      Upstreams upstreams,
      ModProxySettings s,
      PrintStream err)
      throws IOException {
    this.disk = disk;
    this.shared = shared;
    this.upstreams = upstreams;
    this.files =
        new StoredFiles(
            disk, shared, upstreams, new StoredFiles.Limits(s.maxModuleSize(), stats, err));
    this.listings =
        new Listings(
            new Listings.Sources(disk, shared, upstreams, s.listTtl()),
            stats,
            err,
            System::currentTimeMillis);
    this.rates = s.ratePerToken() > 0 ? new TokenRates(s.ratePerToken(), System::nanoTime) : null;
  }

  /**
   * Opens the store and settles the upstream proxies.
   *
   * @throws IOException saying what failed: the directory, the credential files, or finding a
   *     default upstream
   */
  public static ModProxy start(ModProxySettings s, Where w, PrintStream err) throws IOException {
    List<Upstreams.Proxy> proxies = proxies(s, w);
    Credentials c;
    try {
      c = Credentials.load(s.netrc(), s.headerFile());
    } catch (IOException e) {
      throw new IOException(
          "cannot use the module proxy's upstream credentials: " + e.getMessage(), e);
    }
    if (s.upstreams() == null && w.edge() != null) {
      c = c.withBearer(w.edgeToken());
    }
    DiskFiles disk = new DiskFiles(w.dir(), w.maxBytes());
    ModStore shared = w.s3() == null ? null : new S3Files(w.s3());
    return new ModProxy(disk, shared, new Upstreams(proxies, c, s.stall()), s, err);
  }

  private static List<Upstreams.Proxy> proxies(ModProxySettings s, Where w) throws IOException {
    if (s.upstreams() != null) {
      return Upstreams.parse(s.upstreams(), "--modproxy");
    }
    if (w.edge() != null) {
      String base = w.edge().toString();
      return List.of(
          new Upstreams.Proxy(
              URI.create(base.endsWith("/") ? base : base + "/").resolve("mod/"), false));
    }
    String goproxy = goEnv("GOPROXY");
    List<Upstreams.Proxy> p;
    try {
      p = Upstreams.parse(goproxy, "go env GOPROXY");
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage() + "; give the upstream proxy as --modproxy URL", e);
    }
    if (p.isEmpty()) {
      throw new IOException(
          "--modproxy without an upstream takes go's proxies from go env GOPROXY, which names none (\""
              + goproxy
              + "\"); give the upstream proxy as --modproxy URL");
    }
    return p;
  }

  /** {@code go env NAME}: go's own default when the variable is unset. */
  private static String goEnv(String name) throws IOException {
    try {
      Process p = new ProcessBuilder("go", "env", name).redirectErrorStream(true).start();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readNBytes(1 << 16), StandardCharsets.UTF_8).strip();
      }
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException("go env " + name + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new IOException(
          "--modproxy without an upstream asks go env GOPROXY for go's proxies, and that failed ("
              + e.getMessage()
              + "); put go on PATH or give the upstream proxy as --modproxy URL",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running go env " + name, e);
    }
  }

  /**
   * A handler answering {@code /mod/...} for requests {@code access} lets in, and passing the rest
   * to {@code next}.
   */
  public Handler handler(Handler next, Access access) {
    return new ModProxyHandler(next, this, rates == null ? access : rates.limit(access));
  }

  /** Counters by name (see {@link #OUTCOMES}). */
  public Stats stats() {
    return stats;
  }

  /** The request outcomes /metrics exports, each with its label. */
  public static final List<? extends Metric> OUTCOMES = ModStats.OUTCOMES;

  /** The counter of bytes fetched from upstream. */
  public static final Metric BYTES_FETCHED = ModStats.BYTES_FETCHED;

  /** The counter of bytes served to clients. */
  public static final Metric BYTES_SERVED = ModStats.BYTES_SERVED;

  public Summary summary() {
    return new Summary(
        upstreams.proxies().toString(),
        disk.bytes(),
        disk.limit(),
        disk.files(),
        stats.get(ModStats.HITS) + stats.get(ModStats.LIST_HITS),
        stats.get(ModStats.MISSES) + stats.get(ModStats.LIST_REFRESHES),
        stats.get(ModStats.SHARED_HITS),
        stats.get(ModStats.UPSTREAM_ERRORS),
        stats.get(ModStats.LIST_STALE),
        stats.get(ModStats.BYTES_SERVED));
  }

  /** The start-up line's part: where modules come from and where they are kept. */
  public String describe() {
    return "modules from "
        + upstreams.proxies()
        + (shared == null ? "" : ", shared in " + shared.describe());
  }

  StoredFiles files() {
    return files;
  }

  Listings listings() {
    return listings;
  }

  @Override
  public void close() {
    upstreams.close();
    if (shared != null) {
      shared.close();
    }
  }
}
