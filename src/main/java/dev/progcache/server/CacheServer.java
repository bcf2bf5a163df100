package dev.progcache.server;

import dev.progcache.modproxy.ModProxy;
import dev.progcache.server.auth.Authenticator;
import dev.progcache.server.auth.ClaimRules;
import dev.progcache.server.auth.OidcSettings;
import dev.progcache.server.auth.OidcVerifier;
import dev.progcache.server.auth.TokenWatcher;
import dev.progcache.server.auth.Tokens;
import dev.progcache.server.http.AccessLog;
import dev.progcache.server.http.CacheHandler;
import dev.progcache.server.http.MetricsEndpoint;
import dev.progcache.server.http.PlainErrors;
import dev.progcache.server.http.PromptStopConnector;
import dev.progcache.server.metrics.RequestTimes;
import dev.progcache.server.metrics.ServerMetrics;
import dev.progcache.server.status.Status;
import dev.progcache.server.status.StatusHandler;
import dev.progcache.server.status.StatusSession;
import dev.progcache.server.store.Backing;
import dev.progcache.server.store.Namespaces;
import dev.progcache.server.store.NextTier;
import dev.progcache.server.store.ServerStore;
import dev.progcache.server.store.Upstream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;

/**
 * A running cache server: Jetty with HTTP/1.1 and h2c on one connector, handlers on virtual
 * threads, at most {@code maxRequests} requests at once, a graceful stop that lets in-flight
 * requests (PUTs) finish and closes idle kept-alive connections at once ({@link
 * PromptStopConnector}).
 *
 * <p>Thread-safe. {@link #close} stops it gracefully; a JVM shutdown (SIGTERM) does the same. An
 * edge cache's queued forwards get up to their drain deadline after the last request.
 */
public final class CacheServer implements AutoCloseable {
  private static final long STOP_TIMEOUT_MILLIS = 15_000;

  /** The status history's file in the storage directory. */
  static final String HISTORY_FILE = "status-history.json";

  private final Server server;
  private final ServerConnector connector;
  private final AccessLog accessLog;
  private final ServerStore store;
  private final Namespaces namespaces;
  private final @Nullable Upstream upstream;
  private final AutoCloseable tokens;
  private final Status status;

  /** What a running server holds besides Jetty: its stores, upstream, token watcher and status. */
  private record Parts(
      Namespaces namespaces, @Nullable Upstream upstream, AutoCloseable tokens, Status status) {}

  private CacheServer(Server server, ServerConnector connector, AccessLog log, Parts parts) {
    this.server = server;
    this.connector = connector;
    this.accessLog = log;
    this.store = parts.namespaces().main();
    this.namespaces = parts.namespaces();
    this.upstream = parts.upstream();
    this.tokens = parts.tokens();
    this.status = parts.status();
  }

  /** Why listening failed, in words: a port in use says so. */
  static String listenFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException) {
        return "the port is in use (is another server running?) or the address is not this"
            + " machine's; choose another with --listen HOST:PORT";
      }
    }
    return e.getMessage() == null ? "the network refused it" : e.getMessage();
  }

  /**
   * Opens the store, loads the tokens and starts listening.
   *
   * @throws ServeException with a message saying what failed and with which input
   */
  public static CacheServer start(ServeConfig cfg, PrintStream err) throws ServeException {
    return start(cfg, err, Clock.systemUTC());
  }

  /**
   * Same, with {@code clock} deciding whether OIDC tokens are expired or not yet valid and when
   * their keys may be fetched again.
   */
  static CacheServer start(ServeConfig cfg, PrintStream raw, Clock clock) throws ServeException {
    PrintStream err = dev.progcache.cache.LogStamp.stamped(raw, Clock.systemUTC());
    // Jetty logs through SLF4J: warnings and errors only, on stderr (before any logger exists)
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
      System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
      System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
      System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    }
    Backing backing = cfg.s3() == null ? null : Backing.s3(cfg.s3(), err);
    Upstream upstream = cfg.upstream() == null ? null : new Upstream(cfg.upstream(), err);
    NextTier.Source next = NextTier.Source.NONE;
    if (backing != null) {
      next = ns -> ns.equals(Namespaces.MAIN) ? backing : null;
    } else if (upstream != null) {
      next = upstream::forNamespace;
    }
    Namespaces namespaces;
    try {
      namespaces =
          new Namespaces(
              cfg.dir(),
              cfg.limits().maxSize(),
              cfg.trust().maxNamespaceSize(),
              next,
              cfg.trust().maxNamespaces());
    } catch (IOException e) {
      if (upstream != null) {
        upstream.close();
      }
      throw new ServeException(
          "cannot open the storage directory "
              + cfg.dir()
              + ": "
              + dev.progcache.disk.IoText.reason(e)
              + "; choose a writable directory with --dir",
          e);
    }
    Tokens.Principal anonymous = anonymous(cfg, err);
    Supplier<Tokens> tokens;
    AutoCloseable stopTokens = () -> {};
    if (cfg.tokens() == null) {
      Tokens fixed = Tokens.anonymousOnly(anonymous);
      tokens = () -> fixed;
    } else {
      try {
        TokenWatcher w = TokenWatcher.start(cfg.tokens(), anonymous, err, Duration.ofSeconds(1));
        tokens = w;
        stopTokens = w;
      } catch (IOException e) {
        throw new ServeException("cannot use the tokens file: " + e.getMessage(), e);
      }
    }
    OidcVerifier oidc = null;
    if (cfg.trust().oidc() != null) {
      OidcSettings o = cfg.trust().oidc();
      try {
        oidc = new OidcVerifier(o, ClaimRules.load(o.rules()), clock, err);
      } catch (IOException e) {
        closeQuietly(stopTokens);
        namespaces.close();
        throw new ServeException("cannot use the OIDC rules: " + e.getMessage(), e);
      }
      err.println(
          "progcache serve: accepting OIDC tokens from "
              + o.issuer()
              + " for audience "
              + o.audience());
      OidcVerifier v = oidc;
      AutoCloseable before = stopTokens;
      stopTokens =
          () -> {
            v.close();
            before.close();
          };
    }
    Authenticator auth = new Authenticator(tokens, cfg.tokens() != null, oidc);
    ServerMetrics metrics = new ServerMetrics(namespaces.main());
    if (backing != null) {
      metrics.backing(backing.stats());
    }
    if (upstream != null) {
      metrics.upstream(upstream.stats(), x -> upstream.queued());
    }
    if (oidc != null) {
      metrics.oidc(oidc);
    }
    namespaces.onOpen(metrics::namespace);
    Status status =
        new Status(
            namespaces,
            metrics,
            new Status.Env(java.time.Clock.systemUTC(), cfg.dir().resolve(HISTORY_FILE), err));
    ServeConfig.Limits l = cfg.limits();

    QueuedThreadPool pool =
        new QueuedThreadPool(Math.max(16, Runtime.getRuntime().availableProcessors() * 4), 4);
    pool.setName("progcache-serve");
    pool.setVirtualThreadsExecutor(
        VirtualThreads.getNamedVirtualThreadsExecutor("progcache-serve-v"));
    Server server = new Server(pool);
    server.setErrorHandler(new PlainErrors());

    HttpConfiguration hc = new HttpConfiguration();
    hc.setRequestHeaderSize(l.maxHeader());
    hc.setSendServerVersion(false);
    hc.setSendXPoweredBy(false);
    ServerConnector c =
        new PromptStopConnector(
            server, new HttpConnectionFactory(hc), new HTTP2CServerConnectionFactory(hc));
    c.setHost(cfg.host());
    c.setPort(cfg.port());
    c.setIdleTimeout(Math.min(30_000, l.requestTimeout().toMillis()));
    // while stopping, a request still sending its body may pause this long
    c.setShutdownIdleTimeout(5_000);
    server.addConnector(c);
    ServerConnector metricsPort = null;
    if (cfg.metricsListen() != null) {
      metricsPort = new PromptStopConnector(server, new HttpConnectionFactory(hc));
      metricsPort.setHost(cfg.metricsListen().getHostString());
      metricsPort.setPort(cfg.metricsListen().getPort());
      metricsPort.setIdleTimeout(30_000);
      server.addConnector(metricsPort);
    }

    CacheHandler handler =
        new CacheHandler(
            namespaces,
            auth,
            metrics,
            new CacheHandler.Limits(l.maxObject(), l.requestTimeout().toMillis(), l.lz4Min()));
    if (upstream != null) {
      // a bean added before the handler stops after it, also when a shutdown hook stops Jetty
      // (SIGTERM): queued forwards get their drain deadline before the JVM exits
      server.addManaged(
          new AbstractLifeCycle() {
            @Override
            protected void doStop() {
              upstream.close();
            }
          });
    }
    Handler front = new StatusHandler(handler, auth, status, metrics, new StatusSession(clock));
    if (cfg.modules() != null) {
      ModProxy modules;
      try {
        modules = ModuleRoutes.start(cfg, server, err);
      } catch (ServeException e) {
        closeQuietly(stopTokens);
        status.close();
        namespaces.close();
        if (upstream != null) {
          upstream.close();
        }
        throw e;
      }
      front = modules.handler(front, req -> ModuleRoutes.access(auth, req));
      metrics.modules(modules.stats());
      status.modules(modules::summary);
    }
    QoSHandler qos = new QoSHandler(front);
    qos.setMaxRequestCount(l.maxRequests());
    qos.setMaxSuspendedRequestCount(l.maxRequests() * 4);
    qos.setMaxSuspend(java.time.Duration.ofSeconds(10));
    Handler graceful = new GracefulHandler(qos);
    server.setHandler(
        metricsPort == null ? graceful : new MetricsEndpoint.Port(graceful, metricsPort, metrics));
    ServeConfig.AccessLogSettings logged = cfg.accessLog();
    AccessLog log = new AccessLog(raw, logged.format(), logged.probes(), Clock.systemUTC());
    @Nullable RequestLog access = logged.format() == ServeConfig.LogFormat.OFF ? null : log;
    server.setRequestLog(
        (req, resp) -> {
          metrics.timed(
              RequestTimes.Route.of(req.getMethod(), Request.getPathInContext(req)),
              resp.getStatus(),
              System.nanoTime() - req.getBeginNanoTime());
          if (access != null) {
            access.log(req, resp);
          }
        });
    server.setStopTimeout(STOP_TIMEOUT_MILLIS);
    server.setStopAtShutdown(true);
    try {
      server.start();
    } catch (Exception e) {
      try {
        server.stop();
        stopTokens.close();
        status.close();
      } catch (Exception ignored) {
        // already failing
      }
      if (upstream != null) {
        upstream.close();
      }
      throw new ServeException(
          "cannot listen on " + cfg.host() + ":" + cfg.port() + ": " + listenFailure(e), e);
    }
    return new CacheServer(server, c, log, new Parts(namespaces, upstream, stopTokens, status));
  }

  /** Who may use the server without a token; says so loudly when that is not just loopback. */
  private static Tokens.@Nullable Principal anonymous(ServeConfig cfg, PrintStream err) {
    ServeConfig.Trust t = cfg.trust();
    if (t.insecureAnonymous()) {
      err.println(
          "progcache serve: WARNING: --insecure-anonymous: requests without a token may read"
              + (t.anonymousWrite() ? " AND WRITE" : "")
              + " namespace main"
              + (t.anonymousWrite()
                  ? "; anyone who reaches this server can poison its cache"
                  : ""));
      return Tokens.insecureAnonymous(t.anonymousWrite());
    }
    return cfg.authenticated() ? null : Tokens.LOOPBACK_ANONYMOUS;
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // already failing
    }
  }

  /** The port actually bound. */
  public int port() {
    return connector.getLocalPort();
  }

  /** The port of the {@code --metrics-listen} address, or -1 without one. */
  public int metricsPort() {
    org.eclipse.jetty.server.Connector[] all = server.getConnectors();
    return all.length > 1 && all[1] instanceof ServerConnector m ? m.getLocalPort() : -1;
  }

  /** The base URL clients use. */
  public URI url() {
    String h = connector.getHost();
    if (h == null || h.equals("0.0.0.0")) {
      h = "127.0.0.1";
    } else if (h.contains(":")) {
      h = "[" + h + "]";
    }
    return URI.create("http://" + h + ":" + port() + "/");
  }

  long storedBytes() {
    return store.bytes();
  }

  /** Waits until the server stops. */
  public void join() throws InterruptedException {
    server.join();
    release();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      // stopping: nothing left to do
    }
    release();
  }

  /** After the last request: forwards what is queued upstream (bounded), then closes the rest. */
  private void release() {
    if (upstream != null) {
      upstream.close();
    }
    accessLog.close();
    closeTokens();
    status.close();
    namespaces.close();
  }

  private void closeTokens() {
    try {
      tokens.close();
    } catch (Exception e) {
      // only stops a polling thread
    }
  }
}
