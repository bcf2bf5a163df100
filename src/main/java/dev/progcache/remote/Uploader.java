package dev.progcache.remote;

import dev.progcache.cache.Key;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one owner of background uploads (write-behind): a bounded queue drained by a bounded number
 * of virtual threads, each upload with a deadline that grows with its size, and a drain deadline at
 * close. What does not fit, or does not finish in time, is dropped and counted — a shared cache is
 * an optimisation, never a reason to wait.
 *
 * <p>Thread-safe. {@link #submit} never blocks; {@link #close} blocks at most for the drain
 * deadline (plus a moment to interrupt what is still running).
 */
public final class Uploader implements AutoCloseable {
  /**
   * @param queue uploads waiting at most
   * @param concurrency uploads running at once
   * @param timeout deadline of one upload: {@code base} plus one second per {@code bytesPerSecond}
   * @param drain how long {@link #close} waits for queued and running uploads
   */
  public record Limits(int queue, int concurrency, Timeout timeout, Duration drain) {
    public static final Limits DEFAULT =
        new Limits(4096, 4, new Timeout(Duration.ofSeconds(10), 1 << 20), Duration.ofSeconds(5));
  }

  /** An upload deadline scaled by size: {@code base + size / bytesPerSecond}. */
  public record Timeout(Duration base, long bytesPerSecond) {
    Duration forSize(long size) {
      return base.plusMillis(size * 1000 / Math.max(1, bytesPerSecond));
    }
  }

  /** Background work other than an object upload (e.g. a manifest), run like one. */
  @FunctionalInterface
  public interface Task {
    void run() throws IOException;
  }

  private record Job(String what, long size, Task task) {}

  private final RemoteTier remote;
  private final Limits limits;
  private final RemoteLog log;
  private final BlockingQueue<Job> queue;
  private final ReentrantLock lock = new ReentrantLock();
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean closing;
  private volatile boolean abandoned;

  public Uploader(RemoteTier remote, Limits limits, RemoteLog log) {
    this.remote = remote;
    this.limits = limits;
    this.log = log;
    this.queue = new ArrayBlockingQueue<>(limits.queue());
  }

  /**
   * Queues an upload of the stored body {@code body}; drops it (counted) when the queue is full.
   */
  public void submit(Key action, Key output, long size, Path body) {
    submit(remote, action, output, size, body);
  }

  /**
   * Queues an upload to {@code to} instead of this uploader's own tier (one of several keyspaces of
   * one server, sharing this uploader's bounds); drops it (counted) when the queue is full.
   */
  public void submit(RemoteTier to, Key action, Key output, long size, Path body) {
    submit("upload of " + output.hex(), size, () -> to.put(action, output, size, body));
  }

  /**
   * Queues {@code task}, described as {@code what}, with a deadline as for an object of {@code
   * size} bytes; drops it (counted) when the queue is full.
   */
  public void submit(String what, long size, Task task) {
    if (closing || !queue.offer(new Job(what, size, task))) {
      log.count(RemoteLog.UPLOAD_DROPPED, 1);
      return;
    }
    startWorkers();
  }

  private void startWorkers() {
    if (workers.size() >= limits.concurrency()) {
      return;
    }
    lock.lock();
    try {
      while (workers.size() < limits.concurrency() && !closing) {
        workers.add(Thread.ofVirtual().name("progcache-upload").start(this::work));
      }
    } finally {
      lock.unlock();
    }
  }

  private void work() {
    try {
      while (!abandoned) {
        Job j = queue.poll(50, TimeUnit.MILLISECONDS);
        if (j == null) {
          if (closing) {
            return;
          }
          continue;
        }
        upload(j);
      }
    } catch (InterruptedException e) {
      // abandoned at the drain deadline
    }
  }

  private void upload(Job j) {
    try {
      Deadlines.call(
          () -> {
            j.task().run();
            return null;
          },
          limits.timeout().forSize(j.size()),
          j.what());
    } catch (Deadlines.TimedOut e) {
      log.count(RemoteLog.UPLOAD_TIMEOUTS, 1);
    } catch (IOException e) {
      // counted and reported by the tier
    }
  }

  /** Number of uploads waiting (not counting running ones). */
  public int queued() {
    return queue.size();
  }

  /**
   * Stops taking uploads, waits up to the drain deadline for the queue and running uploads, then
   * abandons the rest (counted as dropped) and closes the remote.
   */
  @Override
  public void close() {
    closing = true;
    long deadline = System.nanoTime() + limits.drain().toNanos();
    List<Thread> ws;
    lock.lock();
    try {
      ws = List.copyOf(workers);
    } finally {
      lock.unlock();
    }
    try {
      for (Thread w : ws) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !w.join(Duration.ofNanos(left))) {
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    abandoned = true;
    int left = 0;
    for (Thread w : ws) {
      if (w.isAlive()) {
        w.interrupt();
        left++;
      }
    }
    List<Job> rest = new ArrayList<>();
    queue.drainTo(rest);
    long dropped = rest.size() + left;
    if (dropped > 0) {
      log.count(RemoteLog.UPLOAD_DROPPED, dropped);
      log.once(
          "drain",
          dropped
              + " upload(s) not finished within the "
              + limits.drain().toMillis()
              + " ms drain deadline; dropped");
    }
  }
}
