package dev.progcache.remote;

import dev.progcache.cache.Key;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one owner of background uploads (write-behind): a bounded queue drained by a bounded number
 * of virtual threads, each upload with a deadline that grows with its size, and a drain deadline at
 * close. What does not fit, or does not finish in time, is dropped and counted — a shared cache is
 * an optimisation, never a reason to wait.
 *
 * <p>Uploads yield to go: while the {@link Load} says every core is busy (a cold build compiling),
 * queued uploads wait, as long as what waits is what the drain deadline could still send in half
 * its time (estimated from the uploads sent so far) and the queue is less than half full. After
 * go's close, and for a daemon between sessions, they go as soon as a core is free.
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

  /** Whether the machine is busy now: queued uploads wait while it is. */
  @FunctionalInterface
  public interface Load {
    /** Never busy: uploads go at once. */
    Load NEVER = () -> false;

    boolean busy();
  }

  /** How long a worker waits before it asks {@link Load} again. */
  private static final long HOLD_TICK_MILLIS = 100;

  /** Uploads measured before any is held back: until then nothing says what the drain can send. */
  private static final int MEASURED_MIN = 8;

  private record Job(String what, long size, Task task, long holdsBefore) {}

  private final RemoteTier remote;
  private final Limits limits;
  private final RemoteLog log;
  private final Load load;
  private final BlockingDeque<Job> queue;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicLong sentCount = new AtomicLong();
  private final AtomicLong sentBytes = new AtomicLong();
  private final AtomicLong sentNanos = new AtomicLong();
  private final AtomicLong holds = new AtomicLong();
  private final ReentrantLock lock = new ReentrantLock();
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean closing;
  private volatile boolean abandoned;

  /** An uploader that never holds uploads back. */
  public Uploader(RemoteTier remote, Limits limits, RemoteLog log) {
    this(remote, limits, log, Load.NEVER);
  }

  /** An uploader whose queued uploads wait while {@code load} is busy (see the class comment). */
  public Uploader(RemoteTier remote, Limits limits, RemoteLog log, Load load) {
    this.remote = remote;
    this.limits = limits;
    this.log = log;
    this.load = load;
    this.queue = new LinkedBlockingDeque<>(limits.queue());
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
    if (closing || !queue.offer(new Job(what, size, task, holds.get()))) {
      log.count(RemoteLog.UPLOAD_DROPPED, 1);
      return;
    }
    queuedBytes.addAndGet(size);
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
        if (holding(0)) {
          holds.incrementAndGet();
          Thread.sleep(HOLD_TICK_MILLIS);
          continue;
        }
        Job j = queue.poll(50, TimeUnit.MILLISECONDS);
        if (j == null) {
          if (closing) {
            return;
          }
          continue;
        }
        if (holding(1) && queue.offerFirst(j)) { // came while this worker waited for one
          continue;
        }
        queuedBytes.addAndGet(-j.size());
        if (holds.get() != j.holdsBefore()) {
          log.count(RemoteLog.UPLOAD_HELD, 1);
        }
        long t0 = System.nanoTime();
        if (upload(j)) {
          sentNanos.addAndGet(System.nanoTime() - t0);
          sentBytes.addAndGet(j.size());
          sentCount.incrementAndGet();
        }
      }
    } catch (InterruptedException e) {
      // abandoned at the drain deadline
    }
  }

  /**
   * Whether queued uploads should wait now: the machine is busy, and what waits could still be sent
   * in half the drain deadline at the pace measured so far, and the queue is less than half full.
   *
   * @param inHand 1 when the caller has just taken a job off the queue, else 0
   */
  private boolean holding(int inHand) {
    int queued = queue.size() + inHand; // a job taken, not yet counted off queuedBytes
    if (load == Load.NEVER || closing || queued == 0 || queued > limits.queue() / 2) {
      return false;
    }
    long n = sentCount.get();
    if (n < MEASURED_MIN) {
      return false;
    }
    double nanos = sentNanos.get();
    double perUpload = nanos / n;
    double perByte = nanos / Math.max(1, sentBytes.get());
    double backlog =
        Math.max(queued * perUpload, queuedBytes.get() * perByte) / limits.concurrency();
    return backlog <= limits.drain().toNanos() / 2.0 && load.busy();
  }

  /** Runs one upload; whether it succeeded. */
  private boolean upload(Job j) {
    try {
      Deadlines.call(
          () -> {
            j.task().run();
            return null;
          },
          limits.timeout().forSize(j.size()),
          j.what());
      return true;
    } catch (Deadlines.TimedOut e) {
      log.count(RemoteLog.UPLOAD_TIMEOUTS, 1);
    } catch (IOException e) {
      // counted and reported by the tier
    }
    return false;
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
