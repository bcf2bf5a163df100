package dev.progcache.testing;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One machine-readable line of figures per reliability run, for {@code
 * bench/reliability-report.sh}:
 *
 * <pre>RELIABILITY scenario=s15 runs=25 failures=0 worst_ms=41 hits=312 ...</pre>
 *
 * <p>{@code runs} counts what the scenario repeated (kills, requests, builds, cases), {@code
 * failures} what broke a promise (corrupt reads, lost puts, hangs, errors), {@code worst_ms} the
 * slowest single operation. The line goes to stdout, which the test reports keep.
 */
public final class Figures {
  private final String scenario;
  private final Map<String, Object> values = new LinkedHashMap<>();

  private Figures(String scenario) {
    this.scenario = scenario;
  }

  /** Starts a line for {@code scenario} (e.g. "s15", "s15-serve"). */
  public static Figures of(String scenario, long runs, long failures, double worstMillis) {
    Figures f = new Figures(scenario);
    f.values.put("runs", runs);
    f.values.put("failures", failures);
    f.values.put("worst_ms", Math.round(worstMillis * 10) / 10.0);
    return f;
  }

  /** Adds a figure; the key must be a word, the value must not contain spaces. */
  public Figures with(String key, Object value) {
    values.put(key, value);
    return this;
  }

  /** Prints the line. */
  public void print() {
    StringBuilder b = new StringBuilder("RELIABILITY scenario=").append(scenario);
    values.forEach(
        (k, v) -> b.append(' ').append(k).append('=').append(v.toString().replace(' ', '_')));
    b.append(" at=").append(Instant.now());
    System.out.println(b);
  }
}
