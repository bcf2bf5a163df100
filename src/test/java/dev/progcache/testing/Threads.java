package dev.progcache.testing;

import java.util.concurrent.Executor;

/** Where tests run blocking work in the background. */
public final class Threads {
  /**
   * A new virtual thread per task. Not the common pool: it has one worker on two cores, so a task
   * blocked on a process or a pipe there keeps every later task from starting.
   */
  public static final Executor VIRTUAL = r -> Thread.ofVirtual().start(r);

  private Threads() {}
}
