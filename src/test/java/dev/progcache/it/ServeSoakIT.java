package dev.progcache.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.CacheHttp;
import dev.progcache.testing.CacheHttp.Obj;
import dev.progcache.testing.Figures;
import dev.progcache.testing.ProcStatus;
import dev.progcache.testing.ServeProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 35: 64 concurrent clients doing mixed GET/PUT against a real {@code progcache serve} on
 * loopback for a bounded time ({@code progcache.soak.seconds}, default 20), with one graceful
 * restart on the same port half-way. No acknowledged PUT may be lost, no read may be corrupt, the
 * server's resident memory stays under a bound, and errors outside the restart window are zero.
 *
 * <p>The RSS bound ({@code progcache.soak.maxRssMiB}, default 640): the shipped launcher gives
 * {@code serve} a default JVM heap (SerialGC, initial heap 1/64 of RAM, grown only under pressure),
 * the bench measured ~230 MB under 64 connections, and at most 64 bodies of up to 1 MiB are
 * buffered at once (bodies above that stream). A leak per request (tens of thousands of them here)
 * would cross the bound; normal garbage does not.
 */
@Timeout(900)
class ServeSoakIT {
  private static final int CLIENTS = 64;
  @TempDir Path tmp;

  /** Counters shared by the clients. */
  private static final class Tally {
    final LongAdder requests = new LongAdder();
    final LongAdder puts = new LongAdder();
    final LongAdder gets = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder restartErrors = new LongAdder();
    final LongAdder corrupt = new LongAdder();
    final LongAdder lostReads = new LongAdder();
    final AtomicLong worstNanos = new AtomicLong();
    final AtomicLongArray millis = new AtomicLongArray(60_001);
    final List<Obj> acked = Collections.synchronizedList(new ArrayList<>());
    final List<String> firstErrors = Collections.synchronizedList(new ArrayList<>());
    volatile long windowStart = Long.MAX_VALUE;
    volatile long windowEnd = Long.MAX_VALUE;

    void latency(long nanos) {
      worstNanos.accumulateAndGet(nanos, Math::max);
      millis.incrementAndGet((int) Math.min(60_000, nanos / 1_000_000));
    }

    long percentileMillis(double p) {
      long total = 0;
      for (int i = 0; i < millis.length(); i++) {
        total += millis.get(i);
      }
      long seen = 0;
      for (int i = 0; i < millis.length(); i++) {
        seen += millis.get(i);
        if (seen >= Math.ceil(total * p)) {
          return i;
        }
      }
      return 0;
    }

    /** A failure that overlaps the restart (from the stop until shortly after the new start). */
    void failed(long start, long end, Exception e) {
      if (end >= windowStart && start <= windowEnd) {
        restartErrors.increment();
      } else {
        errors.increment();
        if (firstErrors.size() < 5) {
          firstErrors.add(e.toString());
        }
      }
    }
  }

  @Test
  void s35_soak64Clients_withRestart_noLostAcknowledgedPut() throws Exception {
    long seconds = Long.getLong("progcache.soak.seconds", 20);
    long maxRssMiB = Long.getLong("progcache.soak.maxRssMiB", 640);
    Path store = tmp.resolve("srv");
    Tally t = new Tally();
    ServeProcess first = ServeProcess.start("127.0.0.1:0", store, "--no-access-log");
    int port = first.port();
    AtomicReference<ServeProcess> current = new AtomicReference<>(first);
    AtomicLong maxRssKiB = new AtomicLong();
    AtomicLong rssSamples = new AtomicLong();
    Thread sampler =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  while (!Thread.currentThread().isInterrupted()) {
                    ProcStatus.rssKiB(current.get().pid())
                        .ifPresent(
                            kib -> {
                              maxRssKiB.accumulateAndGet(kib, Math::max);
                              rssSamples.incrementAndGet();
                            });
                    try {
                      Thread.sleep(200);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
    long begin = System.nanoTime();
    long end = begin + TimeUnit.SECONDS.toNanos(seconds);
    try (CacheHttp http = new CacheHttp(first.url(), Duration.ofSeconds(30));
        ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Void>> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        Random r = new Random(3500 + c);
        clients.add(ex.submit(() -> client(http, r, t, end)));
      }
      Thread.sleep(TimeUnit.NANOSECONDS.toMillis(end - begin) / 2);
      t.windowStart = System.nanoTime();
      // SIGTERM: the JVM runs the server's graceful stop, then exits with 143 (128 + 15)
      assertThat(current.get().stop(30)).as("graceful stop exit status").isIn(0, 143);
      current.set(startOn(port, store));
      long restartNanos = System.nanoTime() - t.windowStart;
      // pooled connections to the old process fail once; give the clients a moment to notice
      t.windowEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      ex.shutdown();
      assertThat(ex.awaitTermination(seconds + 120, TimeUnit.SECONDS)).as("clients stop").isTrue();
      for (Future<Void> f : clients) {
        f.get(); // a client that ended with an unexpected exception fails the test here
      }
      long lost = 0;
      long corrupt = 0;
      for (Obj o : t.acked) {
        String c = http.check(o);
        if (c.equals("miss")) {
          lost++;
        } else if (!c.equals("hit")) {
          corrupt++;
        }
      }
      sampler.interrupt();
      sampler.join(5_000);
      current.get().stop(30);
      long requests = t.requests.sum();
      long failures = t.errors.sum() + t.corrupt.sum() + t.lostReads.sum() + lost + corrupt;
      long ok = requests - t.errors.sum() - t.restartErrors.sum();
      Figures.of("s35", requests, failures, t.worstNanos.get() / 1e6)
          .with("clients", CLIENTS)
          .with("seconds", seconds)
          .with("ok", ok)
          .with("ok_per_s", ok / Math.max(1, seconds))
          .with("puts_acked", t.acked.size())
          .with("gets", t.gets.sum())
          .with("p99_ms", t.percentileMillis(0.99))
          .with("errors", t.errors.sum())
          .with("restart_ms", restartNanos / 1_000_000)
          .with("restart_errors", t.restartErrors.sum())
          .with(
              "error_rate", String.format("%.5f", t.errors.sum() / (double) Math.max(1, requests)))
          .with(
              "restart_error_rate",
              String.format("%.5f", t.restartErrors.sum() / (double) Math.max(1, requests)))
          .with("lost_acked", lost + t.lostReads.sum())
          .with("corrupt", corrupt + t.corrupt.sum())
          .with("max_rss_mib", maxRssKiB.get() / 1024)
          .with("rss_bound_mib", maxRssMiB)
          .with("rss_samples", rssSamples.get())
          .print();
      assertThat(t.acked).as("acknowledged PUTs").isNotEmpty();
      assertThat(t.corrupt.sum() + corrupt).as("corrupt reads").isZero();
      assertThat(t.lostReads.sum() + lost).as("acknowledged PUTs answered 404").isZero();
      assertThat(t.errors.sum())
          .as("errors outside the restart window, first: %s", t.firstErrors)
          .isZero();
      assertThat(rssSamples.get()).as("RSS samples").isPositive();
      assertThat(maxRssKiB.get() / 1024).as("server RSS (MiB)").isLessThanOrEqualTo(maxRssMiB);
    } finally {
      sampler.interrupt();
      current.get().close();
      first.close();
    }
  }

  /** Restarts on the same port; retries briefly in case the port is not free yet. */
  private static ServeProcess startOn(int port, Path store) throws Exception {
    AssertionError last = null;
    for (int i = 0; i < 5; i++) {
      try {
        return ServeProcess.start("127.0.0.1:" + port, store, "--no-access-log");
      } catch (AssertionError e) {
        last = e;
        Thread.sleep(500);
      }
    }
    throw last;
  }

  /** One client: until {@code end}, PUT new objects (45 %), GET stored ones (45 %), GET misses. */
  private static Void client(CacheHttp http, Random r, Tally t, long end)
      throws InterruptedException {
    while (System.nanoTime() < end) {
      int op = r.nextInt(100);
      long t0 = System.nanoTime();
      try {
        if (op < 45 || t.acked.isEmpty()) {
          byte[] body =
              new byte[r.nextInt(50) == 0 ? 100_000 + r.nextInt(900_000) : 1 + r.nextInt(16_000)];
          r.nextBytes(body);
          Obj o = Obj.random(r, body);
          int status = http.put(o, body);
          t.puts.increment();
          if (status == 204) {
            t.acked.add(o);
          } else {
            throw new java.io.IOException("PUT answered " + status);
          }
        } else if (op < 90) {
          Obj o;
          synchronized (t.acked) {
            o = t.acked.get(r.nextInt(t.acked.size()));
          }
          String c = http.check(o);
          t.gets.increment();
          if (c.equals("miss")) {
            t.lostReads.increment();
          } else if (c.startsWith("corrupt")) {
            t.corrupt.increment();
          } else if (!c.equals("hit")) {
            throw new java.io.IOException("GET answered " + c);
          }
        } else {
          byte[] a = new byte[32];
          r.nextBytes(a);
          int status = http.get(java.util.HexFormat.of().formatHex(a)).status();
          t.gets.increment();
          if (status != 404) {
            throw new java.io.IOException("GET of an unknown action answered " + status);
          }
        }
        t.latency(System.nanoTime() - t0);
      } catch (java.io.IOException e) {
        t.failed(t0, System.nanoTime(), e);
        Thread.sleep(100); // while the server restarts, do not spin
      } finally {
        t.requests.increment();
      }
    }
    return null;
  }
}
