package dev.progcache.server.metrics;

import dev.progcache.server.status.StatusSession;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * How long requests took, from their first byte to their last, as the histogram {@code
 * progcache_request_duration_seconds{route,status}} ({@code _bucket}, {@code _count}, {@code _sum};
 * {@code status} is the class, {@code 2xx} to {@code 5xx}). A route is one of {@link Route}, never
 * a path, so the series stay few; a series appears with its first request.
 *
 * <p>Thread-safe; recording is a lookup in a fixed array and the timer's own increments.
 */
public final class RequestTimes {
  /** What a request asked for; its name is the {@code route} label. */
  public enum Route {
    ACTION,
    OUTPUT,
    PUT,
    BATCH,
    MANIFEST,
    STATUS,
    METRICS,
    HEALTHZ,
    OTHER;

    final String label = name().toLowerCase(Locale.ROOT);

    /** The route of a request for {@code path} (with or without a {@code /ns/<name>} prefix). */
    public static Route of(String method, String path) {
      String p = path;
      if (p.startsWith("/ns/")) {
        int end = p.indexOf('/', 4);
        p = end < 0 ? "" : p.substring(end);
      }
      if (method.equals("PUT")) {
        return PUT;
      }
      if (p.startsWith("/action/")) {
        return ACTION;
      }
      if (p.startsWith("/output/")) {
        return OUTPUT;
      }
      if (p.startsWith("/manifest/")) {
        return MANIFEST;
      }
      return switch (p) {
        case "/batch" -> BATCH;
        case "/", "/status.json", StatusSession.SIGN_IN, StatusSession.SIGN_OUT -> STATUS;
        case "/metrics" -> METRICS;
        case "/healthz" -> HEALTHZ;
        default -> OTHER;
      };
    }
  }

  /** Bucket bounds: a page-cache hit takes well under a millisecond, a big body seconds. */
  private static final Duration[] BUCKETS = {
    Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
        Duration.ofMillis(2),
    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)
  };

  private static final int CLASSES = 6; // 0xx (none sent) to 5xx

  private final MeterRegistry registry;
  private final AtomicReferenceArray<Timer> timers =
      new AtomicReferenceArray<>(Route.values().length * CLASSES);

  RequestTimes(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Records that a request of {@code route} answered {@code status} after {@code nanos}. */
  void record(Route route, int status, long nanos) {
    int c = Math.clamp(status / 100, 0, CLASSES - 1);
    int i = route.ordinal() * CLASSES + c;
    Timer t = timers.get(i);
    if (t == null) {
      t =
          Timer.builder("progcache_request_duration")
              .description(
                  "Time from a request's first byte to its answer's last, by route and status class")
              .tag("route", route.label)
              .tag("status", c + "xx")
              .serviceLevelObjectives(BUCKETS)
              .register(registry); // the registry returns the same timer to a racing caller
      timers.set(i, t);
    }
    t.record(nanos, TimeUnit.NANOSECONDS);
  }
}
