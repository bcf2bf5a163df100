package dev.progcache.testing;

import java.util.concurrent.TimeUnit;

/** Ending the processes tests start. */
public final class Processes {
  private Processes() {}

  /**
   * Kills {@code p} (SIGKILL) and every process below it, if they still run, and waits up to 10 s
   * for {@code p} to be gone. Its children first, while they are still known as such: the launcher
   * runs the JVM as its child when PROGCACHE_JAVA_OPTS is set, and a SIGKILL to the launcher alone
   * left that JVM running after the test.
   */
  public static void kill(Process p) {
    killDescendants(p.toHandle());
    if (p.isAlive()) {
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** SIGKILL to every live process below {@code h}. */
  public static void killDescendants(ProcessHandle h) {
    h.descendants().forEach(ProcessHandle::destroyForcibly);
  }
}
