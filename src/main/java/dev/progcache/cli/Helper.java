package dev.progcache.cli;

import dev.progcache.cache.Stats;
import dev.progcache.disk.DiskStore;
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

/** Builds and runs one helper session after the handshake was written. */
final class Helper {
  private Helper() {}

  /**
   * Serves go on {@code in}/{@code out} until close or end of input; returns the exit status.
   *
   * @param out go's stdout; the handshake has already been written to it
   */
  static int run(
      HelperConfig cfg, InputStream in, OutputStream out, PrintStream err, Map<String, String> env) {
    long start = System.nanoTime();
    Stats stats = new Stats();
    DiskStore store;
    try {
      Path dir = cfg.resolveDir(env);
      store = DiskStore.open(dir, Helper::nowNanos, stats);
    } catch (ConfigException | IOException e) {
      err.println("progcache: " + e.getMessage());
      return 1;
    }
    ProgServer.Outcome outcome;
    try (store) {
      outcome = session(cfg, store, stats, in, out, err, start);
    }
    return outcome == ProgServer.Outcome.MALFORMED ? 2 : 0;
  }

  /**
   * One protocol session on {@code cache} after the handshake was written: serves, closes
   * {@code out} (go must not wait for anything after its close is answered), then prints the -v
   * summary. Leaves the cache open.
   */
  static ProgServer.Outcome session(
      HelperConfig cfg,
      dev.progcache.cache.BuildCache cache,
      Stats stats,
      InputStream in,
      OutputStream out,
      PrintStream err,
      long startNanos) {
    ResponseWriter writer = new ResponseWriter(new BufferedOutputStream(out, 1 << 16));
    ProgServer.Outcome outcome = new ProgServer(in, writer, cache, stats, err).serve();
    writer.close();
    if (cfg.verbose()) {
      err.println(summary(stats, System.nanoTime() - startNanos));
    }
    return outcome;
  }

  static String summary(Stats stats, long elapsedNanos) {
    return String.format(
        Locale.ROOT, "progcache: %s time=%.3fs", stats.line(), elapsedNanos / 1e9);
  }

  /** Wall-clock time as Unix nanoseconds, at the clock's resolution. */
  static long nowNanos() {
    java.time.Instant t = java.time.Instant.now();
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}
