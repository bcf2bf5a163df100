package dev.progcache.cache;

/**
 * A counter with one name everywhere: its {@link #key} in {@link Stats} and the helper's stats
 * line, the {@link #label} it has in its family at {@code /metrics} (an {@code outcome} or {@code
 * direction} value), what it counts ({@link #help}) and its Prometheus {@link #type}. Implemented
 * by enums, one per family ({@code RemoteCounter}, {@code ModCounter}, the server's {@code
 * RequestCounter}); names never change, dashboards and scripts read them.
 */
public interface Metric {
  /** The Prometheus metric type. */
  enum Type {
    COUNTER,
    GAUGE
  }

  /**
   * The names of one counter.
   *
   * @param key the name in {@link Stats} and the stats line, e.g. {@code remote-hits}
   * @param label the label value in the {@code /metrics} family, e.g. {@code hit}
   * @param help what it counts, one sentence
   */
  record Names(String key, String label, String help) {}

  /** This counter's names. */
  Names names();

  /** The name in {@link Stats} and the stats line, e.g. {@code remote-hits}. */
  default String key() {
    return names().key();
  }

  /** The label value in the {@code /metrics} family, e.g. {@code hit}. */
  default String label() {
    return names().label();
  }

  /** What it counts, one sentence. */
  default String help() {
    return names().help();
  }

  /** The Prometheus type; counters unless said otherwise. */
  default Type type() {
    return Type.COUNTER;
  }
}
