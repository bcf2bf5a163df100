package dev.progcache.remote;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Whether every core of the machine is busy, from the kernel's CPU time counters ({@code
 * /proc/stat}), read at most once per {@link #PERIOD_NANOS}: busy when less than half a core was
 * idle since the last reading. Where the counters cannot be read (not Linux), never busy. Nothing
 * is read until the first question (uploads queued), not at the helper's start.
 *
 * <p>Thread-safe; a caller that finds another reading the counters gets the last answer.
 */
public final class CpuLoad implements Uploader.Load {
  /** How often the counters are read at most: 100 ms. */
  static final long PERIOD_NANOS = 100_000_000L;

  private final Path stat;
  private double minIdle; // 0 until the first reading counted the cores
  private final LongSupplier nanoTime;
  private final ReentrantLock lock = new ReentrantLock();
  private long readAt;
  private long lastIdle = -1;
  private long lastTotal;
  private volatile boolean busy;

  /**
   * @param stat the counters' file, in {@code /proc/stat}'s format; its {@code cpuN} lines are the
   *     machine's cores
   */
  CpuLoad(Path stat, LongSupplier nanoTime) {
    this.stat = stat;
    this.nanoTime = nanoTime;
    this.readAt = nanoTime.getAsLong() - PERIOD_NANOS;
  }

  /** This machine's load; never busy where {@code /proc/stat} cannot be read. */
  public static Uploader.Load system() {
    return new CpuLoad(Path.of("/proc/stat"), System::nanoTime);
  }

  /** The number of {@code cpuN} lines. */
  static int cores(String stat) {
    int n = 0;
    for (String line : stat.lines().toList()) {
      if (line.length() > 3 && line.startsWith("cpu") && Character.isDigit(line.charAt(3))) {
        n++;
      }
    }
    return n;
  }

  @Override
  public boolean busy() {
    if (nanoTime.getAsLong() - readAt < PERIOD_NANOS || !lock.tryLock()) {
      return busy;
    }
    try {
      long now = nanoTime.getAsLong();
      if (now - readAt >= PERIOD_NANOS) {
        readAt = now;
        read();
      }
    } finally {
      lock.unlock();
    }
    return busy;
  }

  /**
   * Reads the first line ("cpu user nice system idle iowait irq softirq steal ..."); the first time
   * the whole file, to count the cores.
   */
  private void read() {
    long[] f = new long[8];
    try (InputStream in = Files.newInputStream(stat)) {
      byte[] b;
      if (minIdle == 0) {
        b = in.readAllBytes();
        int cores = cores(new String(b, StandardCharsets.US_ASCII));
        if (cores == 0) {
          busy = false; // not the expected format: never hold anything back
          return;
        }
        minIdle = 0.5 / cores;
      } else {
        b = in.readNBytes(256);
      }
      int i = 3; // after "cpu"
      for (int k = 0; k < f.length; k++) {
        while (i < b.length && b[i] == ' ') {
          i++;
        }
        if (i >= b.length || b[i] < '0' || b[i] > '9') {
          busy = false; // not the expected format: never hold anything back
          return;
        }
        long v = 0;
        while (i < b.length && b[i] >= '0' && b[i] <= '9') {
          v = v * 10 + (b[i++] - '0');
        }
        f[k] = v;
      }
    } catch (IOException e) {
      busy = false;
      return;
    }
    long idle = f[3] + f[4];
    long total = 0;
    for (long v : f) {
      total += v;
    }
    if (lastIdle >= 0 && total > lastTotal) {
      busy = (double) (idle - lastIdle) / (total - lastTotal) < minIdle;
    }
    lastIdle = idle;
    lastTotal = total;
  }
}
