package dev.progcache.cli;

import dev.progcache.cache.BuildCache;
import dev.progcache.cache.Stats;
import dev.progcache.daemon.DaemonClient;
import dev.progcache.daemon.DaemonServer;
import dev.progcache.daemon.Hello;
import dev.progcache.disk.DiskStore;
import dev.progcache.protocol.ResponseWriter;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code progcache daemon run|stop|status}: the resident daemon behind {@code progcache-relay}.
 * Sessions share one {@link DiskStore} per cache directory.
 */
final class DaemonCommand {
  static final String USAGE =
      """
      usage: progcache daemon run [--idle-exit SECONDS]   serve relays until idle (default 900 s;
                                                          env PROGCACHE_DAEMON_IDLE)
             progcache daemon status                      print the running daemon's state
             progcache daemon stop                        ask the running daemon to exit
      Set GOCACHEPROG to bin/progcache-relay to use it; the relay starts the daemon on demand.
      """;

  private final Map<Path, DiskStore> stores = new ConcurrentHashMap<>();

  /**
   * Shared tiers, one per directory and remote configuration, kept for the daemon's life: their
   * connections, breaker and uploader stay warm across go commands. Their counters and one-time
   * messages go to the daemon's log, not to a session.
   */
  private final Map<TierKey, BuildCache> tiers = new ConcurrentHashMap<>();

  private final Stats sharedStats = new Stats();

  private record TierKey(Path dir, RemoteSettings remote) {}

  private DaemonCommand() {}

  static int run(List<String> args, Map<String, String> env) throws ConfigException {
    String sub = args.isEmpty() ? "" : args.get(0);
    String build = System.getProperty("progcache.build", "dev");
    try {
      return switch (sub) {
        case "run" -> new DaemonCommand().serve(args.subList(1, args.size()), env, build);
        case "status", "stop" -> {
          Optional<String> r = DaemonClient.send(env, build, sub);
          if (r.isEmpty()) {
            System.out.println("no daemon of this build running (" + DaemonClient.socketPath(env, build) + ")");
            yield sub.equals("stop") ? 0 : 1;
          }
          System.out.print(r.get());
          yield 0;
        }
        default ->
            throw new ConfigException(
                (sub.isEmpty() ? "daemon needs run, status or stop" : "unknown daemon command \"" + sub + "\"")
                    + " (progcache daemon --help shows the usage)");
      };
    } catch (IOException e) {
      throw new ConfigException("daemon: " + e.getMessage());
    }
  }

  private int serve(List<String> args, Map<String, String> env, String build)
      throws ConfigException, IOException {
    long idle = seconds("PROGCACHE_DAEMON_IDLE", env.getOrDefault("PROGCACHE_DAEMON_IDLE", "900"));
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals("--idle-exit") && i + 1 < args.size()) {
        idle = seconds("--idle-exit", args.get(++i));
      } else {
        throw new ConfigException(
            "unknown daemon run flag " + args.get(i) + " (progcache daemon --help shows the usage)");
      }
    }
    DaemonServer d =
        DaemonServer.create(env, build, Duration.ofSeconds(idle), this::session, System.err);
    boolean ran = d.run();
    tiers.values().forEach(BuildCache::close); // drains their uploads
    stores.values().forEach(DiskStore::close);
    if (!tiers.isEmpty()) {
      System.err.println("progcache daemon: shared tiers: " + sharedStats.line());
    }
    return ran ? 0 : 0; // a second daemon of the same build is not an error
  }

  private void session(Hello h, InputStream in, OutputStream out) throws IOException {
    long start = System.nanoTime();
    PrintStream err = goStderr(h.pid());
    try {
      // As the one-shot helper: no configuration problem fails the go command.
      HelperConfig cfg = HelperConfig.lenient(h.args(), h.env()).withConfigFileLeniently();
      Helper.report(cfg, err);
      Stats stats = new Stats();
      DiskStore store;
      try {
        store = CacheDir.open(cfg, h.env(), this::shared, err);
      } catch (IOException e) {
        err.println("progcache: " + e.getMessage());
        return; // closing the connection ends go's session: it reports the helper's exit
      }
      Path dir = store.root();
      BuildCache cache =
          Helper.sharedTier(
                  cfg,
                  h.env(),
                  err,
                  remote ->
                      tiers.computeIfAbsent(
                          new TierKey(dir, remote),
                          k -> k.remote().tier(store, sharedStats, System.err)))
              .orElse(store);
      out.write(ResponseWriter.HANDSHAKE);
      out.flush();
      Helper.session(cfg, cache, stats, in, out, err);
      Helper.printSummary(cfg, stats, System.nanoTime() - start, err);
      Helper.afterSession(store, cfg, stats, System.nanoTime() - start, err);
    } finally {
      if (err != System.err) {
        err.close();
      }
    }
  }

  /** The store of {@code dir}, shared by every session of that directory. */
  private DiskStore shared(Path dir) throws IOException {
    try {
      return stores.computeIfAbsent(dir, DaemonCommand::open);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static DiskStore open(Path dir) {
    try {
      return DiskStore.open(dir, Helper::nowNanos, new Stats());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** go's stderr, reached through the relay's fd 2; the daemon's own stderr when that fails. */
  private static PrintStream goStderr(long pid) {
    if (pid > 0) {
      try {
        return new PrintStream(
            new FileOutputStream("/proc/" + pid + "/fd/2", true), true, StandardCharsets.UTF_8);
      } catch (IOException e) {
        // not our process or no such fd
      }
    }
    return System.err;
  }

  private static long seconds(String key, String v) throws ConfigException {
    try {
      long s = Long.parseLong(v);
      if (s > 0) {
        return s;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new ConfigException(key + "=" + v + ": expected a positive number of seconds");
  }
}
