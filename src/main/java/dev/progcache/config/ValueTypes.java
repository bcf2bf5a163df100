package dev.progcache.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/** The value types of settings: paths, switches, sizes, durations, plain text. Stateless. */
public final class ValueTypes {
  private ValueTypes() {}

  /** A non-empty path, made absolute against the working directory. */
  public static final Setting.ValueType<Path> PATH =
      new Setting.ValueType<>() {
        @Override
        public Path parse(String text) {
          if (text.isEmpty()) {
            throw new IllegalArgumentException("empty");
          }
          try {
            return Path.of(text).toAbsolutePath().normalize();
          } catch (InvalidPathException e) {
            throw new IllegalArgumentException(e.getReason());
          }
        }

        @Override
        public String accepted() {
          return "a directory path, e.g. /var/cache/progcache";
        }
      };

  /** true/false and the usual spellings; a bare flag means true. */
  public static final Setting.ValueType<Boolean> BOOL =
      new Setting.ValueType<>() {
        @Override
        public Boolean parse(String text) {
          return switch (text.toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            case "0", "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
          };
        }

        @Override
        public String accepted() {
          return "true or false (also 1/0, yes/no, on/off)";
        }

        @Override
        public boolean isSwitch() {
          return true;
        }
      };

  /** Any non-empty text (URLs, names, tokens). */
  public static final Setting.ValueType<String> TEXT =
      new Setting.ValueType<>() {
        @Override
        public String parse(String text) {
          if (text.isEmpty()) {
            throw new IllegalArgumentException("empty");
          }
          return text;
        }

        @Override
        public String accepted() {
          return "a non-empty string";
        }
      };

  /** Bytes with an optional binary suffix (1K = 1024); 0 or off means no limit. */
  public static final Setting.ValueType<Long> SIZE =
      new Setting.ValueType<>() {
        @Override
        public Long parse(String text) {
          return parseSize(text);
        }

        @Override
        public String accepted() {
          return "a size in bytes with an optional K, M, G or T suffix (1K = 1024), e.g. 10G;"
              + " or off for no limit";
        }
      };

  /** A duration like 5d, 12h, 30m, 90s, 250ms or 1h30m; 0 or off means never. */
  public static final Setting.ValueType<Duration> DURATION =
      new Setting.ValueType<>() {
        @Override
        public Duration parse(String text) {
          return parseDuration(text);
        }

        @Override
        public String accepted() {
          return "a duration made of numbers with units d, h, m, s or ms, e.g. 5d, 12h or 1h30m;"
              + " or off";
        }
      };

  /** A duration as {@link #DURATION}, but more than zero: a time limit. */
  public static final Setting.ValueType<Duration> TIMEOUT =
      new Setting.ValueType<>() {
        @Override
        public Duration parse(String text) {
          Duration d = parseDuration(text);
          if (d.isZero()) {
            throw new IllegalArgumentException("must be more than zero");
          }
          return d;
        }

        @Override
        public String accepted() {
          return "a duration more than zero made of numbers with units d, h, m, s or ms, e.g. 500ms,"
              + " 30s or 5m";
        }
      };

  /** A whole number from 1 up. */
  public static final Setting.ValueType<Integer> COUNT =
      new Setting.ValueType<>() {
        @Override
        public Integer parse(String text) {
          long n = number(text.strip());
          if (n < 1 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(n < 1 ? "must be 1 or more" : "too large");
          }
          return (int) n;
        }

        @Override
        public String accepted() {
          return "a whole number, 1 or more";
        }
      };

  public static long parseSize(String text) {
    return dev.progcache.cache.Units.size(text);
  }

  public static Duration parseDuration(String text) {
    return dev.progcache.cache.Units.duration(text);
  }

  private static long number(String digits) {
    return dev.progcache.cache.Units.number(digits);
  }
}
