package dev.progcache.remote;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs blocking remote calls with a deadline, on a virtual thread that is interrupted at the end.
 */
final class Deadlines {
  private Deadlines() {}

  /** A call that did not finish in time; it was interrupted and its result is abandoned. */
  static final class TimedOut extends InterruptedIOException {
    TimedOut(String message) {
      super(message);
    }
  }

  /**
   * Runs {@code task} and returns its result, or throws {@link TimedOut} after {@code timeout}
   * (interrupting the task, whose late result is dropped).
   */
  static <T> T call(Callable<T> task, Duration timeout, String what) throws IOException {
    FutureTask<T> f = new FutureTask<>(task);
    Thread.ofVirtual().name("progcache-remote").start(f);
    try {
      return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new TimedOut(what + " timed out after " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(what + " interrupted");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      throw new IOException(what + " failed: " + c, c);
    }
  }
}
