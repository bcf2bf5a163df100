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
 * Runs blocking remote calls with a deadline, on a thread of their own that is interrupted at the
 * end: a virtual thread (interrupting it closes its sockets), or, for a caller on a platform thread
 * (a get go waits on, see {@link RemoteThreads}), a platform thread, which the kernel schedules
 * fairly beside the virtual threads' background work. Interrupting a platform thread does not end a
 * blocking socket read: a call abandoned at its deadline runs on until the HTTP tier's read
 * timeout, and its late result is dropped.
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
    if (Thread.currentThread().isVirtual()) {
      Thread.ofVirtual().name("progcache-remote").start(f);
    } else {
      RemoteThreads.execute(f);
    }
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
