package dev.progcache.server;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** {@code progcache serve}: starts the cache server and runs until stopped (SIGTERM / SIGINT). */
public final class Serve {
  private Serve() {}

  private static String auth(ServeConfig cfg) {
    if (!cfg.authenticated()) {
      return "off (loopback only)";
    }
    if (cfg.tokens() != null && cfg.trust().oidc() != null) {
      return "by tokens file and OIDC";
    }
    return cfg.tokens() != null ? "by tokens file" : "by OIDC";
  }

  /** Runs the server; returns the exit status (only Main exits). */
  public static int run(List<String> args, Map<String, String> env, PrintStream raw) {
    return run(args, env, Map.of(), raw);
  }

  /**
   * Runs the server with the config file's {@code [serve]} table as the lowest layer of settings.
   *
   * @param file values by key, each with where it was written ({@code path:line})
   */
  public static int run(
      List<String> args,
      Map<String, String> env,
      Map<String, Map.Entry<String, String>> file,
      PrintStream raw) {
    if (args.contains("--help") || args.contains("-h")) {
      System.out.print(ServeConfig.USAGE); // help is output, not a diagnostic
      return 0;
    }
    PrintStream err = dev.progcache.cache.LogStamp.stamped(raw, java.time.Clock.systemUTC());
    try {
      ServeConfig cfg = ServeConfig.parse(args, env, file);
      CacheServer s =
          CacheServer.start(cfg, raw); // stamps its own lines; the access log has its own times
      err.println(
          "progcache serve: listening on "
              + s.url()
              + " (dir "
              + cfg.dir()
              + ", max-size "
              + cfg.limits().maxSize()
              + " bytes, "
              + (cfg.s3() == null ? "no backing store" : "backed by " + cfg.s3().describe())
              + (cfg.upstream() == null
                  ? ""
                  : ", edge of "
                      + dev.progcache.remote.http.HttpTier.describe(cfg.upstream().url())
                      + (cfg.upstream().readOnly() ? " (read-only)" : ""))
              + ", auth "
              + auth(cfg)
              + ")");
      if (cfg.metricsListen() != null) {
        err.println(
            "progcache serve: /metrics also on http://"
                + cfg.metricsListen().getHostString()
                + ":"
                + s.metricsPort()
                + "/metrics (no token needed there; nothing else is served there)");
      }
      err.flush();
      s.join();
      err.println("progcache serve: stopped");
      return 0;
    } catch (ServeException e) {
      err.println("progcache serve: " + e.getMessage());
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }
}
