package dev.progcache.cli;

import dev.progcache.cache.BuildCache;
import dev.progcache.cache.Stats;
import dev.progcache.daemon.DaemonClient;
import dev.progcache.daemon.DaemonLog;
import dev.progcache.daemon.DaemonServer;
import dev.progcache.daemon.Hello;
import dev.progcache.disk.DiskStore;
import dev.progcache.protocol.ResponseWriter;
import dev.progcache.remote.RemoteLog;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code progcache daemon run|stop|status}: the resident daemon behind {@code progcache-relay}.
 * Sessions share one {@link DiskStore} per cache directory.
 */
final class DaemonCommand {
  static final String USAGE =
      """
      usage: progcache daemon run [--idle-exit D]         serve relays until idle D (default 15m;
                                                          env PROGCACHE_DAEMON_IDLE; 90s, 15m, 2h;
                                                          a plain number is seconds)
             progcache daemon status                      every daemon of this user (all builds):
                                                          build, version, pid, sessions, memory
             progcache daemon stop [--all]                ask this build's daemon (or all) to exit
      `progcache setup` points go at bin/progcache-relay, which starts the daemon on demand.
      The daemon logs to daemon-<build>.log in its socket directory (rotated at 1 MiB).
      """;

  /** How long a daemon without sessions stays. */
  static final Duration DEFAULT_IDLE = Duration.ofMinutes(15);

  private final Map<Path, DiskStore> stores = new ConcurrentHashMap<>();

  /**
   * Shared tiers, one per directory and remote configuration, kept for the daemon's life: their
   * connections, breaker and uploader stay warm across go commands. Their counters and one-time
   * messages go to the daemon's log, not to a session.
   */
  private final Map<TierKey, RemoteSettings.Shared> tiers = new ConcurrentHashMap<>();

  private final Stats sharedStats = new Stats();

  private record TierKey(Path dir, RemoteSettings remote) {}

  private DaemonCommand() {}

  static int run(List<String> args, Map<String, String> env) throws ConfigException {
    String sub = args.isEmpty() ? "" : args.get(0);
    List<String> rest = args.isEmpty() ? args : args.subList(1, args.size());
    if (rest.contains("-h")
        || rest.contains("--help")
        || sub.equals("-h")
        || sub.equals("--help")) {
      System.out.print(USAGE);
      return 0;
    }
    String build = System.getProperty("progcache.build", "dev");
    try {
      return switch (sub) {
        case "run" -> new DaemonCommand().serve(rest, env, build);
        case "status" -> {
          noArguments(sub, rest);
          yield status(env, build);
        }
        case "stop" -> stop(rest, env, build);
        default ->
            throw new ConfigException(
                (sub.isEmpty()
                        ? "daemon needs run, status or stop"
                        : "unknown daemon command \"" + sub + "\"")
                    + " (progcache daemon --help shows the usage)");
      };
    } catch (IOException e) {
      throw new ConfigException("daemon: " + e.getMessage());
    }
  }

  private static int status(Map<String, String> env, String build) throws IOException {
    Map<String, String> all = DaemonClient.sendAll(env, "status");
    if (all.isEmpty()) {
      System.out.println("no daemon running (" + DaemonClient.socketPath(env, build) + ")");
      return 1;
    }
    for (Map.Entry<String, String> e : all.entrySet()) {
      String mark = e.getKey().equals(build) ? "* " : "  ";
      System.out.print(mark + e.getValue());
    }
    if (!all.containsKey(build)) {
      System.out.println("no daemon of this build (" + build + ") running");
    }
    System.out.println("(* this build; log: " + DaemonClient.logPath(env, build) + ")");
    return 0;
  }

  private static int stop(List<String> rest, Map<String, String> env, String build)
      throws ConfigException, IOException {
    boolean all = rest.equals(List.of("--all"));
    if (!all) {
      noArguments("stop", rest);
    }
    Map<String, String> replies =
        all
            ? DaemonClient.sendAll(env, "stop")
            : DaemonClient.send(env, build, "stop").map(r -> Map.of(build, r)).orElse(Map.of());
    if (replies.isEmpty()) {
      System.out.println("no daemon " + (all ? "" : "of this build ") + "running");
    }
    replies.forEach((id, r) -> System.out.print("build " + id + ": " + r));
    return 0;
  }

  private static void noArguments(String sub, List<String> rest) throws ConfigException {
    if (!rest.isEmpty()) {
      throw new ConfigException(
          "daemon "
              + sub
              + ": unexpected argument "
              + rest.get(0)
              + " (see progcache daemon --help)");
    }
  }

  private int serve(List<String> args, Map<String, String> env, String build)
      throws ConfigException, IOException {
    // the relay starts the daemon with the user's environment: a bad variable is a line in the
    // daemon's log and the default, never a daemon that does not start; a bad flag is a usage error
    Duration idle = DEFAULT_IDLE;
    String problem = null;
    String fromEnv = env.getOrDefault("PROGCACHE_DAEMON_IDLE", "");
    if (!fromEnv.isBlank()) {
      try {
        idle = idle("PROGCACHE_DAEMON_IDLE", fromEnv);
      } catch (ConfigException e) {
        problem = e.getMessage() + "; using the default 15m";
      }
    }
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).startsWith("--idle-exit=")) {
        idle = idle("--idle-exit", args.get(i).substring("--idle-exit=".length()));
      } else if (args.get(i).equals("--idle-exit") && i + 1 < args.size()) {
        idle = idle("--idle-exit", args.get(++i));
      } else {
        throw new ConfigException(
            "unknown daemon run flag "
                + args.get(i)
                + " (progcache daemon --help shows the usage)");
      }
    }
    DaemonServer.Identity id = new DaemonServer.Identity(build, Main.version(), idle);
    DaemonServer.prepareDirectory(env, id); // nothing is written into a directory others control
    PrintStream log = openLog(env, build);
    System.setErr(log);
    System.setOut(log);
    if (problem != null) {
      log.println("progcache daemon: " + problem);
    }
    DaemonServer.create(env, id, this::session, log).run();
    closeAll(log);
    return 0; // a second daemon of the same build is not an error
  }

  /** Closes the shared tiers (draining their uploads) and the stores, as the daemon stops. */
  private void closeAll(PrintStream log) {
    tiers.values().forEach(RemoteSettings.Shared::close);
    stores.values().forEach(DiskStore::close);
    if (!tiers.isEmpty()) {
      log.println("progcache daemon: shared tiers: " + sharedStats.line());
    }
  }

  /** What the AOT training does with a daemon running: connects to its socket as relays do. */
  interface TrainingClients {
    void run(Path socket) throws IOException, InterruptedException;
  }

  /**
   * For the AOT training ({@link Train}): runs this build's daemon in this process (its log in the
   * socket directory of {@code env}; this process's stdout and stderr left alone) while {@code
   * clients} run on its socket (once bound, at most 10 s from now), then stops it as a daemon
   * stops.
   */
  static void train(Map<String, String> env, TrainingClients clients)
      throws IOException, InterruptedException {
    DaemonCommand d = new DaemonCommand();
    String build = System.getProperty("progcache.build", "dev");
    DaemonServer.Identity id = new DaemonServer.Identity(build, Main.version(), DEFAULT_IDLE);
    DaemonServer.prepareDirectory(env, id);
    PrintStream log = openLog(env, build);
    DaemonServer server = DaemonServer.create(env, id, d::session, log);
    Thread serving =
        Thread.ofPlatform()
            .name("training-daemon")
            .start(
                () -> {
                  try {
                    server.run();
                  } catch (IOException e) {
                    log.println("progcache daemon: " + e);
                  }
                });
    try {
      Path socket = Path.of(DaemonClient.socketPath(env, build));
      for (int i = 0; i < 1000 && !Files.exists(socket); i++) {
        Thread.sleep(10); // the server thread is binding it
      }
      clients.run(socket);
    } finally {
      server.stop();
      serving.join(10_000);
      d.closeAll(log);
      log.close();
    }
  }

  /** The daemon's own log, timestamped and rotated, in its socket directory. */
  private static PrintStream openLog(Map<String, String> env, String build) throws IOException {
    return DaemonLog.open(
        DaemonClient.logPath(env, build), DaemonLog.DEFAULT_MAX_BYTES, Clock.systemUTC());
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
      Path cwd = h.cwd().isEmpty() ? dir : Path.of(h.cwd());
      BuildCache cache =
          Helper.sharedTier(
                  cfg,
                  h.env(),
                  err,
                  remote ->
                      RemoteSettings.session(
                          store,
                          tiers.computeIfAbsent(
                              new TierKey(dir, remote),
                              k -> k.remote().shared(new RemoteLog(sharedStats, System.err))),
                          Helper.prefetch(cfg, h.env(), cwd),
                          new RemoteLog(stats, err)))
              .orElse(store);
      out.write(ResponseWriter.HANDSHAKE);
      out.flush();
      try {
        Helper.session(cfg, cache, stats, in, out, err);
      } finally {
        if (cache != store) {
          cache.close(); // this session's prefetch only: the disk and shared tier stay open
        }
      }
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
      return DiskStore.open(dir, Helper::nowNanos, new Stats(), true); // records kept in memory
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

  /** A positive duration in the one grammar; a plain number is seconds, as it always was. */
  static Duration idle(String key, String v) throws ConfigException {
    String why;
    try {
      Duration d = dev.progcache.cache.Units.durationOrSeconds(v);
      if (d.isPositive()) {
        return d;
      }
      why = "it must be more than zero";
    } catch (IllegalArgumentException e) {
      why = e.getMessage();
    }
    throw new ConfigException(
        key
            + ": bad value \""
            + v
            + "\" ("
            + why
            + "); expected a duration such as 90s, 15m or 2h"
            + " (a plain number is seconds)");
  }
}
