package dev.progcache.cache;

/** Temporary timing instrumentation: events kept in memory, written to stderr at exit. */
public final class T {
  private static final long T0 = System.currentTimeMillis() * 1000 - System.nanoTime() / 1000;
  private static final java.util.concurrent.ConcurrentLinkedQueue<String> Q =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  StringBuilder b = new StringBuilder();
                  for (String s : Q) b.append(s).append('\n');
                  System.err.print(b);
                }));
  }

  private T() {}

  public static void t(String ev) {
    Q.add("T " + (T0 + System.nanoTime() / 1000) / 1000.0 + " " + Thread.currentThread().getName() + " " + ev);
  }
}
