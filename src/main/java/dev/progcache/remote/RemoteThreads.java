package dev.progcache.remote;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Platform threads for the remote calls go waits on (a get that missed on disk), kept for reuse
 * (idle ones end after a minute). On virtual threads such a call waited for one of the two carrier
 * threads behind the helper's own background work (uploads, the prefetch's streams, each running
 * until it blocks): over a cold {@code go build std} uploading to a loopback server, go waited
 * 2.2–9.9 s in all for its 384 remote misses (the slowest 0.4–2.3 s); on platform threads, which
 * the kernel schedules beside everything else, 1.6–2.2 s (the slowest 55–230 ms; ADR 0038).
 *
 * <p>Thread-safe.
 */
final class RemoteThreads {
  private static final ExecutorService POOL =
      Executors.newCachedThreadPool(
          Thread.ofPlatform().daemon().name("progcache-remote-", 0).factory());

  private RemoteThreads() {}

  /** Runs {@code task} on a platform thread of the pool. */
  static void execute(Runnable task) {
    POOL.execute(task);
  }
}
