package dev.progcache.disk;

import java.time.Duration;

/**
 * Limits for trimming a cache directory.
 *
 * @param maxBytes total size of bodies above which the least recently used go; 0 for no cap
 * @param maxAge bodies unused for longer go; {@link Duration#ZERO} for no age limit
 * @param interval automatic trims run at most this often; {@link Duration#ZERO} disables them
 */
public record TrimPolicy(long maxBytes, Duration maxAge, Duration interval) {
  /** go's own cache: unused for 5 days; plus a 10 GiB cap; daily. */
  public static final TrimPolicy DEFAULT =
      new TrimPolicy(10L << 30, Duration.ofDays(5), Duration.ofDays(1));

  public TrimPolicy {
    if (maxBytes < 0 || maxAge.isNegative() || interval.isNegative()) {
      throw new IllegalArgumentException(
          "negative trim limit: " + maxBytes + ", " + maxAge + ", " + interval);
    }
  }

  /** This policy with another size cap and age limit (a manual trim's flags). */
  public TrimPolicy with(long bytes, Duration age) {
    return new TrimPolicy(bytes, age, interval);
  }
}
