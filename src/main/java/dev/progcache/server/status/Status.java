package dev.progcache.server.status;

import dev.progcache.cache.Stats;
import dev.progcache.modproxy.ModProxy;
import dev.progcache.remote.RemoteCounter;
import dev.progcache.server.auth.Tokens;
import dev.progcache.server.metrics.RequestCounter;
import dev.progcache.server.metrics.ServerMetrics;
import dev.progcache.server.store.Namespaces;
import dev.progcache.server.store.ServerStore;
import dev.progcache.server.store.TopSizes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The figures behind the status page: takes {@link StatusFigures} from the server's counters and
 * stores, and keeps their {@link StatusHistory}, sampled every {@value #SAMPLE_SECONDS} s by one
 * virtual thread and saved to a file every ten minutes and at {@link #close}.
 *
 * <p>Requests pay only for the counters they already bump (and, per namespace, one {@code
 * LongAdder} per lookup); the system property {@code progcache.status.bookkeeping=off} turns the
 * per-namespace counts and largest-entry tracking off, to measure what they cost.
 *
 * <p>Thread-safe.
 */
public final class Status implements AutoCloseable {
  /** Whether the per-namespace bookkeeping runs (off only to measure its cost). */
  public static final boolean BOOKKEEPING =
      !"off".equals(System.getProperty("progcache.status.bookkeeping"));

  /** How many of the largest entries are kept and shown. */
  public static final int TOP = 20;

  static final long SAMPLE_SECONDS = 5;

  /**
   * Where the status lives: its clock, the file its history is saved in, where to report trouble.
   */
  public record Env(Clock clock, Path historyFile, PrintStream err) {}

  private final Namespaces namespaces;
  private final ServerMetrics metrics;
  private final Env env;
  private final Instant started;
  private final StatusHistory history = new StatusHistory();
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Thread sampler;
  private volatile boolean saveFailed;
  private volatile @Nullable Supplier<ModProxy.Summary> modules;

  public Status(Namespaces namespaces, ServerMetrics metrics, Env env) {
    this.namespaces = namespaces;
    this.metrics = metrics;
    this.env = env;
    this.started = env.clock().instant();
    try {
      history.load(env.historyFile(), started.toEpochMilli());
    } catch (IOException e) {
      env.err()
          .println("progcache serve: starting with an empty status history: " + e.getMessage());
    }
    this.sampler = Thread.ofVirtual().name("progcache-status").start(this::sampleLoop);
  }

  private void sampleLoop() {
    long savedSlot = slot();
    try {
      while (!stop.await(SAMPLE_SECONDS, TimeUnit.SECONDS)) {
        sample();
        if (slot() != savedSlot) {
          savedSlot = slot();
          save();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private long slot() {
    return env.clock().millis() / (10 * StatusHistory.MINUTE);
  }

  /** Adds the counts since the last sample to the history. */
  void sample() {
    history.sample(env.clock().millis(), metrics.totals());
  }

  private void save() {
    try {
      history.save(env.historyFile());
      saveFailed = false;
    } catch (IOException e) {
      if (!saveFailed) {
        env.err().println("progcache serve: cannot save the status history: " + e.getMessage());
      }
      saveFailed = true;
    }
  }

  /** Shows the module proxy's figures from {@code m} from now on. */
  public void modules(Supplier<ModProxy.Summary> m) {
    this.modules = m;
  }

  /** The figures now, as {@code who} may see them. */
  StatusFigures figures(Tokens.Principal who) {
    Instant now = env.clock().instant();
    long[] totals = metrics.totals();
    ServerStore main = namespaces.main();
    List<StatusFigures.Namespace> ns = new ArrayList<>();
    List<StatusFigures.Largest> largest = new ArrayList<>();
    for (Map.Entry<String, ServerStore> e : namespaces.opened().entrySet()) {
      if (!who.mayRead(e.getKey())) {
        continue;
      }
      ServerStore s = e.getValue();
      ns.add(
          new StatusFigures.Namespace(
              e.getKey(), s.objects(), s.bytes(), s.limit(), s.hits(), s.misses()));
      for (TopSizes.Item i : s.largest()) {
        largest.add(
            new StatusFigures.Largest(e.getKey(), i.action().hex(), i.output().hex(), i.size()));
      }
    }
    largest.sort(Comparator.comparingLong(StatusFigures.Largest::bytes).reversed());
    Supplier<ModProxy.Summary> mods = modules;
    return new StatusFigures(
        version(),
        who.name(),
        started,
        now,
        new StatusFigures.Requests(
            metrics.get(RequestCounter.ACTION_HIT),
            metrics.get(RequestCounter.ACTION_MISS),
            metrics.get(RequestCounter.BATCH_HIT),
            metrics.get(RequestCounter.BATCH_MISS),
            metrics.get(RequestCounter.OUTPUT_HIT),
            metrics.get(RequestCounter.OUTPUT_MISS),
            metrics.get(RequestCounter.PUT_OK),
            ServerMetrics.n(metrics.bytesIn),
            ServerMetrics.n(metrics.bytesOut)),
        new StatusFigures.Store(main.bytes(), main.limit(), main.objects(), main.evictions()),
        new StatusFigures.Rejected(
            metrics.get(RequestCounter.PUT_BAD),
            metrics.get(RequestCounter.PUT_TOO_LARGE),
            metrics.get(RequestCounter.PUT_NO_LENGTH),
            metrics.get(RequestCounter.PUT_UNAUTHORIZED)
                + metrics.get(RequestCounter.PUT_FORBIDDEN),
            metrics.get(RequestCounter.PUT_BACKING_FAILED)),
        List.copyOf(ns),
        List.copyOf(largest.subList(0, Math.min(TOP, largest.size()))),
        main.backing().map(b -> backing(b.describe(), b.stats())).orElse(null),
        history.lastHour(now.toEpochMilli(), totals),
        history.lastDay(now.toEpochMilli(), totals),
        mods == null || !who.mayDownloadModules() ? null : mods.get());
  }

  private static StatusFigures.BackingState backing(String where, Stats s) {
    return new StatusFigures.BackingState(
        where,
        s.get(RemoteCounter.HITS),
        s.get(RemoteCounter.MISSES),
        s.get(RemoteCounter.ERRORS),
        s.get(RemoteCounter.CORRUPT),
        s.get(RemoteCounter.UPLOADS),
        s.get(RemoteCounter.UPLOAD_ERRORS));
  }

  public static String version() {
    String v = Status.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Stops sampling, takes a last sample, saves the history and stops the metrics' listeners. */
  @Override
  public void close() {
    stop.countDown();
    try {
      sampler.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sample();
    save();
    metrics.close();
  }
}
