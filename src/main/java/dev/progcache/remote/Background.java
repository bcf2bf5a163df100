package dev.progcache.remote;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A value built once: in the background after {@link #start}, or on the thread of the first {@link
 * #get} when nobody started it. Remote clients are built this way so that a helper whose gets all
 * hit on local disk never builds one (loading an HTTP or S3 client costs a one-shot JVM more CPU
 * than a warm build's whole session). Thread-safe.
 */
public final class Background<T> {
  private final FutureTask<T> task;
  private final String threadName;
  private final AtomicBoolean started = new AtomicBoolean();

  /**
   * @param threadName the name of the virtual thread that {@link #start} runs it on
   */
  public Background(String threadName, Callable<T> build) {
    this.threadName = threadName;
    this.task = new FutureTask<>(build);
  }

  /** Starts building on a virtual thread, unless that has begun already; returns at once. */
  public void start() {
    if (started.compareAndSet(false, true)) {
      Thread.ofVirtual().name(threadName).start(task);
    }
  }

  /** The value, built here if nobody has started it. */
  public T get() throws InterruptedException, ExecutionException {
    if (started.compareAndSet(false, true)) {
      task.run();
    }
    return task.get();
  }

  /** The value, started in the background if it was not, waiting at most {@code millis}. */
  public T get(long millis) throws InterruptedException, ExecutionException, TimeoutException {
    start();
    return task.get(millis, TimeUnit.MILLISECONDS);
  }

  /** Whether the value (or its failure) is there: false when it was never asked for. */
  public boolean isDone() {
    return task.isDone();
  }
}
