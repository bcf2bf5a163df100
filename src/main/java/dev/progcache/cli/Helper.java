package dev.progcache.cli;

import dev.progcache.cache.BuildCache;
import dev.progcache.cache.Stats;
import dev.progcache.config.Problem;
import dev.progcache.disk.DiskStore;
import dev.progcache.disk.SessionLog;
import dev.progcache.disk.TrimReport;
import dev.progcache.disk.Trimmer;
import dev.progcache.prog.ProgServer;
import dev.progcache.protocol.ResponseWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Builds and runs one helper session after the handshake was written. */
final class Helper {
  private Helper() {}

  /**
   * Serves go on {@code in}/{@code out} until close or end of input; returns the exit status.
   *
   * @param out go's stdout; the handshake has already been written to it
   */
  static int run(
      HelperConfig flagsAndEnv,
      InputStream in,
      OutputStream out,
      PrintStream err,
      Map<String, String> env) {
    long start = System.nanoTime();
    Stats stats = new Stats();
    HelperConfig cfg = flagsAndEnv.withConfigFileLeniently();
    report(cfg, err);
    DiskStore local;
    try {
      local = CacheDir.open(cfg, env, CacheDir.fresh(stats), err);
    } catch (IOException e) {
      err.println("progcache: " + e.getMessage());
      return 1;
    }
    BuildCache store =
        sharedTier(
                cfg,
                env,
                err,
                remote ->
                    remote.tier(
                        local, stats, err, prefetch(cfg, env, Path.of("").toAbsolutePath())))
            .orElse(local);
    ProgServer.Outcome outcome;
    try (store) {
      outcome = session(cfg, store, stats, in, out, err);
    } // closing drains the shared tier's uploads: the summary below counts them
    long elapsed = System.nanoTime() - start;
    printSummary(cfg, stats, elapsed, err);
    afterSession(local, cfg, stats, elapsed, err);
    return outcome == ProgServer.Outcome.MALFORMED ? 2 : 0;
  }

  /** Prints each configuration problem once, one line each. */
  static void report(HelperConfig cfg, PrintStream err) {
    cfg.problems().stream().map(Problem::line).distinct().forEach(err::println);
  }

  /**
   * The shared tier {@code build} makes from the settings, or empty when none is configured or its
   * settings are bad; then one line says why and the tier is off for this command.
   */
  static Optional<BuildCache> sharedTier(
      HelperConfig cfg,
      Map<String, String> env,
      PrintStream err,
      java.util.function.Function<RemoteSettings, BuildCache> build) {
    if (cfg.sharedTierOff()) {
      return Optional.empty(); // report() said why
    }
    try {
      return RemoteSettings.from(cfg, env).map(build);
    } catch (ConfigException e) {
      err.println("progcache: " + e.getMessage() + "; the shared tier is off for this command");
      return Optional.empty();
    }
  }

  /** The build context of go running in {@code cwd} to prefetch for, unless prefetching is off. */
  static Optional<java.util.function.Supplier<dev.progcache.cache.Key>> prefetch(
      HelperConfig cfg, Map<String, String> env, Path cwd) {
    if (!cfg.prefetch()) {
      return Optional.empty();
    }
    Optional<String> explicit = cfg.prefetchKey();
    return Optional.of(() -> BuildContext.key(env, cwd, explicit));
  }

  /**
   * One protocol session on {@code cache} after the handshake was written: serves, then closes
   * {@code out} (go must not wait for anything after its close is answered). Leaves the cache open;
   * the caller prints the -v summary.
   */
  static ProgServer.Outcome session(
      HelperConfig cfg,
      dev.progcache.cache.BuildCache cache,
      Stats stats,
      InputStream in,
      OutputStream out,
      PrintStream err) {
    ResponseWriter writer = new ResponseWriter(new BufferedOutputStream(out, 1 << 16));
    ProgServer.Outcome outcome = new ProgServer(in, writer, cache, stats, err).serve();
    writer.close();
    return outcome;
  }

  /**
   * Housekeeping once go has its answers and our stdout is closed: records the session's counters
   * and trims when due. Problems are reported only in verbose mode: the build already succeeded.
   */
  static void afterSession(
      DiskStore store, HelperConfig cfg, Stats stats, long elapsedNanos, PrintStream err) {
    try {
      SessionLog.append(store.root(), nowNanos(), stats.line() + " ms=" + elapsedNanos / 1_000_000);
      Optional<TrimReport> r = new Trimmer(store, Helper::nowNanos).maybeTrim(cfg.trimPolicy());
      if (r.isPresent() && cfg.verbose()) {
        err.println("progcache: trimmed " + store.root() + ": " + TrimText.summary(r.get()));
      }
    } catch (IOException | RuntimeException e) {
      if (cfg.verbose()) {
        err.println("progcache: housekeeping of " + store.root() + " failed: " + e);
      }
    }
  }

  /** The -v summary line, when asked for. */
  static void printSummary(HelperConfig cfg, Stats stats, long elapsedNanos, PrintStream err) {
    if (cfg.verbose()) {
      err.println(summary(stats, elapsedNanos));
    }
  }

  static String summary(Stats stats, long elapsedNanos) {
    return String.format(Locale.ROOT, "progcache: %s time=%.3fs", stats.line(), elapsedNanos / 1e9);
  }

  /** Wall-clock time as Unix nanoseconds, at the clock's resolution. */
  static long nowNanos() {
    java.time.Instant t = java.time.Instant.now();
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}
