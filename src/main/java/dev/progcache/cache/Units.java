package dev.progcache.cache;

import java.time.Duration;
import java.util.Locale;

/**
 * The one grammar of sizes and durations, for the helper's settings and the server's flags alike.
 * Stateless.
 */
public final class Units {
  private Units() {}

  /**
   * Bytes with an optional binary suffix: {@code 512}, {@code 4K}, {@code 512M}, {@code 10G},
   * {@code 10GiB}, {@code 2TB} (1K = 1024); {@code 0} or {@code off} is 0.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static long size(String text) {
    String t = text.strip().toUpperCase(Locale.ROOT);
    if (t.equals("OFF") || t.equals("0")) {
      return 0;
    }
    if (t.endsWith("IB")) {
      t = t.substring(0, t.length() - 2);
    } else if (t.endsWith("B")) {
      t = t.substring(0, t.length() - 1);
    }
    int shift = 0;
    if (!t.isEmpty()) {
      shift =
          switch (t.charAt(t.length() - 1)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            case 'T' -> 40;
            default -> 0;
          };
    }
    String digits = shift == 0 ? t : t.substring(0, t.length() - 1).strip();
    long n = number(digits);
    if (n > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException("too large");
    }
    return n << shift;
  }

  /**
   * Numbers with units d, h, m, s, ms, e.g. {@code 500ms}, {@code 30s}, {@code 5m}, {@code 12h},
   * {@code 30d}, {@code 1h30m}; {@code 0} or {@code off} is zero.
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static Duration duration(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.equals("off") || t.equals("0")) {
      return Duration.ZERO;
    }
    if (t.isEmpty()) {
      throw new IllegalArgumentException("empty");
    }
    Duration d = Duration.ZERO;
    int i = 0;
    while (i < t.length()) {
      int start = i;
      while (i < t.length() && Character.isDigit(t.charAt(i))) {
        i++;
      }
      if (i == start || i == t.length()) {
        throw new IllegalArgumentException("every number needs a unit");
      }
      long n = number(t.substring(start, i));
      if (t.startsWith("ms", i)) {
        d = d.plusMillis(n);
        i += 2;
        continue;
      }
      d =
          d.plus(
              switch (t.charAt(i)) {
                case 'd' -> Duration.ofDays(n);
                case 'h' -> Duration.ofHours(n);
                case 'm' -> Duration.ofMinutes(n);
                case 's' -> Duration.ofSeconds(n);
                default -> throw new IllegalArgumentException("unknown unit '" + t.charAt(i) + "'");
              });
      i++;
    }
    return d;
  }

  /**
   * A duration as {@link #duration} reads it, or a plain number of seconds (what older flags and
   * variables took, such as {@code PROGCACHE_DAEMON_IDLE=900}).
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static Duration durationOrSeconds(String text) {
    String t = text.strip();
    if (!t.isEmpty() && t.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Duration.ofSeconds(number(t));
    }
    return duration(t);
  }

  /** A plain non-negative number of at most 18 digits. */
  public static long number(String digits) {
    if (digits.isEmpty() || digits.length() > 18) {
      throw new IllegalArgumentException(digits.isEmpty() ? "no number" : "too large");
    }
    for (int i = 0; i < digits.length(); i++) {
      if (!Character.isDigit(digits.charAt(i))) {
        throw new IllegalArgumentException("not a number");
      }
    }
    return Long.parseLong(digits);
  }
}
