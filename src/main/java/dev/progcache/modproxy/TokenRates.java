package dev.progcache.modproxy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Bounds each token's module-proxy requests per second ({@code --modproxy-rate}): a bucket per
 * principal that holds at most one second's worth of requests and refills continuously. A request
 * beyond it gets 429 with {@code Retry-After: 1}; go retries module downloads that fail this way on
 * its next command, and a CI job's burst of a few hundred requests fits a rate of that size.
 *
 * <p>Thread-safe. At most {@link #MAX_PRINCIPALS} buckets are kept (the least recently used go; a
 * bucket forgotten is a full one), so memory stays bounded whatever OIDC rules name.
 */
final class TokenRates {
  static final int MAX_PRINCIPALS = 10_000;

  private final double perSecond;
  private final LongSupplier nanoTime;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, double[]> buckets =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, double[]> e) {
          return size() > MAX_PRINCIPALS;
        }
      };

  /**
   * @param perSecond requests each principal may send per second (more than zero)
   */
  TokenRates(int perSecond, LongSupplier nanoTime) {
    this.perSecond = perSecond;
    this.nanoTime = nanoTime;
  }

  /** Whether {@code principal} may send one more request now; counts it when it may. */
  boolean allow(String principal) {
    long now = nanoTime.getAsLong();
    lock.lock();
    try {
      double[] b = buckets.computeIfAbsent(principal, k -> new double[] {perSecond, now});
      double tokens = Math.min(perSecond, b[0] + (now - (long) b[1]) / 1e9 * perSecond);
      b[1] = now;
      if (tokens < 1) {
        b[0] = tokens;
        return false;
      }
      b[0] = tokens - 1;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** {@code access}, with requests over the rate answered 429. */
  ModProxy.Access limit(ModProxy.Access access) {
    return req -> {
      ModProxy.Verdict v = access.check(req);
      if (v.status() != 200 || allow(v.principal())) {
        return v;
      }
      return new ModProxy.Verdict(
          429,
          "too many module requests with this token (over "
              + (long) perSecond
              + " per second, --modproxy-rate); retry in a second");
    };
  }
}
