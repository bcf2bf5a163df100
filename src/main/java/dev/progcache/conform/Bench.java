package dev.progcache.conform;

import dev.progcache.cache.Key;
import dev.progcache.client.ProgClient;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code conform --bench}: throughput and latency of get hits, get misses and puts through one
 * {@link ProgClient}, each for a fixed time, from a fixed number of calling threads.
 */
final class Bench {
  private static final int HIT_SET = 1000;
  private static final int MAX_OPS_PER_THREAD = 10_000_000;

  /** One operation of a kind; {@code i} numbers the calls of one thread. */
  @FunctionalInterface
  private interface Op {
    void run(Random rnd, long i) throws IOException;
  }

  private final ProgClient client;
  private final Duration each;
  private final int threads;
  private final PrintStream out;
  private final AtomicLong unique = new AtomicLong();
  private final List<String> only;
  private final Duration warmup;

  /**
   * Measures every operation, or those named in {@code only} when it is not empty, each for {@code
   * each} after running it unmeasured for {@code warmup}.
   */
  Bench(
      ProgClient client,
      Duration each,
      Duration warmup,
      int threads,
      List<String> only,
      PrintStream out) {
    this.client = client;
    this.each = each;
    this.warmup = warmup;
    this.threads = threads;
    this.only = only;
    this.out = out;
  }

  /** The operations, in the order they run. */
  static final List<String> OPS = List.of("get-hit", "get-miss", "put-1KiB", "put-1MiB");

  void run() throws Exception {
    Random seed = new Random();
    Key[] hits = new Key[HIT_SET];
    for (int i = 0; i < hits.length; i++) {
      hits[i] = Lines.key(seed);
      client.put(hits[i], Lines.bytes(seed, 1024));
    }
    measure(
        "get-hit",
        (rnd, i) -> {
          if (client.get(hits[rnd.nextInt(hits.length)]).isEmpty()) {
            throw new IOException("bench: a stored action missed");
          }
        });
    measure("get-miss", (rnd, i) -> client.get(Lines.key(rnd)));
    byte[] small = Lines.bytes(seed, 1024);
    byte[] large = Lines.bytes(seed, 1 << 20);
    measure("put-1KiB", (rnd, i) -> client.put(Lines.key(rnd), distinct(small)));
    measure("put-1MiB", (rnd, i) -> client.put(Lines.key(rnd), distinct(large)));
  }

  /** A copy of {@code body} that no other put has sent, so the helper cannot skip the write. */
  private byte[] distinct(byte[] body) {
    byte[] b = body.clone();
    ByteBuffer.wrap(b).putLong(0, unique.incrementAndGet());
    return b;
  }

  private void measure(String name, Op op) throws Exception {
    if (!only.isEmpty() && !only.contains(name)) {
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      if (!warmup.isZero()) {
        run(pool, op, warmup);
      }
      long start = System.nanoTime();
      long[] all = run(pool, op, each);
      report(name, all, System.nanoTime() - start);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Runs {@code op} on every thread of {@code pool} for {@code d}; all latencies, unsorted. */
  private long[] run(ExecutorService pool, Op op, Duration d) throws Exception {
    long end = System.nanoTime() + d.toNanos();
    List<Future<long[]>> parts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long s = t;
      parts.add(pool.submit((Callable<long[]>) () -> loop(op, new Random(s * 7919 + end), end)));
    }
    long[] all = new long[0];
    for (Future<long[]> f : parts) {
      all = concat(all, get(f));
    }
    return all;
  }

  private static long[] get(Future<long[]> f) throws Exception {
    try {
      return f.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception x ? x : e;
    }
  }

  private static long[] loop(Op op, Random rnd, long end) throws IOException {
    long[] lat = new long[4096];
    int n = 0;
    while (n < MAX_OPS_PER_THREAD) {
      long t0 = System.nanoTime();
      if (t0 >= end) {
        break;
      }
      op.run(rnd, n);
      if (n == lat.length) {
        lat = Arrays.copyOf(lat, n * 2);
      }
      lat[n++] = System.nanoTime() - t0;
    }
    return Arrays.copyOf(lat, n);
  }

  private static long[] concat(long[] a, long[] b) {
    long[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  private void report(String name, long[] lat, long elapsed) {
    Arrays.sort(lat);
    double opsPerSec = lat.length / (elapsed / 1e9);
    out.println(
        String.format(
            Locale.ROOT,
            "bench %-9s %9.0f ops/s  p50 %7.3f ms  p99 %7.3f ms  (%d ops, %d thread%s)",
            name,
            opsPerSec,
            percentile(lat, 0.50) / 1e6,
            percentile(lat, 0.99) / 1e6,
            lat.length,
            threads,
            threads == 1 ? "" : "s"));
  }

  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, i)];
  }
}
