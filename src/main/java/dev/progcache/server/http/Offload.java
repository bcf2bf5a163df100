package dev.progcache.server.http;

import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Moves work that may block off Jetty's selector thread onto a virtual thread of its own.
 * Thread-safe.
 */
final class Offload {
  /** Work that may block; runs on a virtual thread. */
  @FunctionalInterface
  interface Blocking {
    void run() throws Exception;
  }

  private final Executor blocking =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("progcache-serve-v", 0).factory());

  /**
   * Runs {@code work} on a virtual thread (directly when already on one); a failure becomes an
   * error answer. Returns true.
   */
  boolean run(Request req, Response resp, Callback cb, Blocking work) throws Exception {
    if (Thread.currentThread().isVirtual()) {
      work.run();
      return true;
    }
    blocking.execute(
        () -> {
          try {
            work.run();
          } catch (Throwable t) {
            Response.writeError(req, resp, cb, t);
          }
        });
    return true;
  }
}
