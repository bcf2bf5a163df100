package dev.progcache.testing;

import java.util.concurrent.TimeUnit;

/** Ending the processes tests start. */
public final class Processes {
  private Processes() {}

  /** Kills {@code p} (SIGKILL) if it still runs, and waits up to 10 s for it to be gone. */
  public static void kill(Process p) {
    if (p.isAlive()) {
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
