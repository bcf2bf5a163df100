package dev.progcache.cache;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Named counters for one helper session, printed as one line on close.
 *
 * <p>Thread-safe. Counters appear in the line in the order of {@link #NAMES}, then any others in
 * order of first use; zero counters outside {@link #NAMES} are left out.
 */
public final class Stats {
  /** Counters always printed, in this order. */
  public static final String[] NAMES = {
    "gets", "hits", "misses", "puts", "bytes-in", "bytes-out", "errors"
  };

  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
  private final java.util.List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();

  public Stats() {
    for (String n : NAMES) {
      counter(n);
    }
  }

  /** The counter named {@code name}, created at zero on first use. */
  public LongAdder counter(String name) {
    LongAdder c = counters.get(name);
    if (c != null) {
      return c;
    }
    return counters.computeIfAbsent(
        name,
        n -> {
          order.add(n);
          return new LongAdder();
        });
  }

  public void add(String name, long delta) {
    counter(name).add(delta);
  }

  /** Adds {@code delta} to {@code m}'s counter. */
  public void add(Metric m, long delta) {
    add(m.key(), delta);
  }

  /** The value of {@code m}'s counter; 0 when never counted. */
  public long get(Metric m) {
    return get(m.key());
  }

  public long get(String name) {
    LongAdder c = counters.get(name);
    return c == null ? 0 : c.sum();
  }

  /** {@code name=value} pairs separated by spaces. */
  public String line() {
    StringBuilder b = new StringBuilder();
    for (String n : order) {
      long v = get(n);
      if (v == 0 && !java.util.Arrays.asList(NAMES).contains(n)) {
        continue;
      }
      if (!b.isEmpty()) {
        b.append(' ');
      }
      b.append(n).append('=').append(v);
    }
    return b.toString();
  }
}
