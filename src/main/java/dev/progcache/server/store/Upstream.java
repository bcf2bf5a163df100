package dev.progcache.server.store;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.remote.BestEffort;
import dev.progcache.remote.ReadOnly;
import dev.progcache.remote.RemoteLog;
import dev.progcache.remote.RemoteTier;
import dev.progcache.remote.Uploader;
import dev.progcache.remote.http.HttpTier;
import dev.progcache.server.ServeConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The server an edge cache reads through to ({@code serve --upstream URL}), with the helper's HTTP
 * tier, best-effort decorator and bounded write-behind uploader.
 *
 * <p>Namespace {@code main} maps to the URL as given, any other namespace {@code n} to {@code
 * <URL>/ns/n/}; when the URL already names a namespace ({@code .../ns/x/}), only {@code main} is
 * forwarded and other namespaces stay local. Each namespace has its own breakers, negative cache
 * and denial state (the edge's token may read {@code main} upstream but not {@code pr-1}); all
 * share one connection pool, one bound on requests and one upload queue.
 *
 * <p>A get that fails, times out or returns bytes that disagree with their OutputID or size is a
 * miss (counted); nothing unverified is stored. A put is queued after the local write and never
 * fails for the edge's client. Thread-safe. Counters are in {@link #stats()}.
 */
public final class Upstream implements AutoCloseable {
  private final HttpTier root;
  private final ServeConfig.Edge cfg;
  private final Stats stats = new Stats();
  private final RemoteLog log;
  private final Uploader uploader;
  private final boolean onlyMain;
  private final Map<String, Link> links = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  public Upstream(ServeConfig.Edge cfg, PrintStream err) {
    this.cfg = cfg;
    this.root =
        new HttpTier(HttpTier.Config.of(cfg.url(), cfg.token()).withHint(ServeConfig.Edge.HINT));
    this.log = new RemoteLog(stats, err);
    this.onlyMain = root.base().getPath().matches("(.*/)?ns/[^/]+/");
    this.uploader = new Uploader(root, cfg.uploads(), log);
  }

  /** The tier behind namespace {@code ns}, or null when that namespace is not forwarded. */
  public @Nullable NextTier forNamespace(String ns) {
    if (onlyMain && !ns.equals(Namespaces.MAIN)) {
      return null;
    }
    return links.computeIfAbsent(ns, this::link);
  }

  private Link link(String ns) {
    boolean main = ns.equals(Namespaces.MAIN);
    HttpTier http = main ? root : root.under("ns/" + ns + "/");
    RemoteTier t = new BestEffort(http, HttpTier.describe(http.base()), cfg.policy(), log);
    if (cfg.readOnly()) {
      t = new ReadOnly(t, log);
    }
    return new Link(t);
  }

  public Stats stats() {
    return stats;
  }

  /** Uploads waiting to be forwarded. */
  public int queued() {
    return uploader.queued();
  }

  /**
   * Forwards what is still queued (bounded by the drain deadline), then closes connections. Later
   * calls do nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    uploader.close();
    root.close();
  }

  /** One namespace's view of the upstream. */
  private final class Link implements NextTier {
    private final RemoteTier tier;

    Link(RemoteTier tier) {
      this.tier = tier;
    }

    @Override
    public Optional<Hit> get(Key action, RemoteTier.ObjectSink sink) {
      try {
        return tier.get(action, sink);
      } catch (IOException | RuntimeException e) {
        stats.add(RemoteLog.ERRORS, 1);
        return Optional.empty();
      }
    }

    @Override
    public void put(Key action, Key output, long size, Path body) {
      uploader.submit(tier, action, output, size, body);
    }

    @Override
    public void close() {
      // the shared connections and queue are closed by Upstream.close
    }
  }
}
