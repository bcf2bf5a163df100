package dev.progcache.server;

import dev.progcache.cache.Units;
import dev.progcache.config.Setting.ValueType;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The value types of serve's settings. Sizes and durations take the one grammar of {@link Units}
 * (512M, 10G, 10GiB, plain bytes; 500ms, 30s, 5m, 12h, 30d, and, as serve's flags always took, a
 * plain number of seconds). Stateless; the helper never loads this class.
 */
final class ServeTypes {
  private ServeTypes() {}

  /** Parses one text; the message of an {@link IllegalArgumentException} says what is wrong. */
  @FunctionalInterface
  interface Parser<T> {
    T parse(String text);
  }

  /**
   * A value type given by its parts.
   *
   * @param placeholder the word for the value in the usage text
   * @param accepted what is accepted, for error messages
   * @param parser the parser
   * @param bare what a bare {@code --key} means, or null: a value is required
   */
  record Type<T>(String placeholder, String accepted, Parser<T> parser, @Nullable String bare)
      implements ValueType<T> {
    @Override
    public T parse(String text) {
      return parser.parse(text.strip());
    }
  }

  static final ValueType<Long> SIZE =
      new Type<>("SIZE", "a size such as 512M, 10G or 10GiB, or plain bytes", Units::size, null);

  /** A duration of zero or more. */
  static final ValueType<Duration> DURATION =
      new Type<>(
          "D",
          "a duration such as 500ms, 30s, 5m, 12h or 30d (a plain number is seconds)",
          Units::durationOrSeconds,
          null);

  /** A duration of more than zero: a time limit. */
  static final ValueType<Duration> TIMEOUT =
      new Type<>(
          "D",
          "a duration more than zero such as 500ms, 30s or 5m (a plain number is seconds)",
          t -> {
            Duration d = Units.durationOrSeconds(t);
            if (d.isZero()) {
              throw new IllegalArgumentException("must be more than zero");
            }
            return d;
          },
          null);

  /** Requests per second: a whole number, 0 or off for no bound. */
  static final ValueType<Integer> RATE =
      new Type<>(
          "N",
          "requests per second, e.g. 50, or off",
          t -> t.equalsIgnoreCase("off") ? 0 : whole(t, 0, 1_000_000),
          null);

  /** {@code HOST:PORT}, unresolved; an empty host means every address. */
  static final ValueType<InetSocketAddress> LISTEN =
      new Type<>(
          "HOST:PORT",
          "HOST:PORT, e.g. 127.0.0.1:8421 or [::]:8421 (port 0: any free one)",
          t -> address(t, false),
          null);

  /** {@code PORT} (on 127.0.0.1) or {@code HOST:PORT}, unresolved. */
  static final ValueType<InetSocketAddress> PORT_OR_ADDRESS =
      new Type<>("[HOST:]PORT", "PORT or HOST:PORT, e.g. 9090", t -> address(t, true), null);

  static final ValueType<ServeConfig.LogFormat> LOG_FORMAT =
      new Type<>(
          "F",
          "common, json or off",
          t ->
              switch (t.toLowerCase(Locale.ROOT)) {
                case "common" -> ServeConfig.LogFormat.COMMON;
                case "json" -> ServeConfig.LogFormat.JSON;
                case "off" -> ServeConfig.LogFormat.OFF;
                default -> throw new IllegalArgumentException("not a log format");
              },
          null);

  /** A whole number from 1 to {@code max}. */
  static ValueType<Integer> count(int max) {
    return new Type<>("N", "a whole number from 1 to " + max, t -> whole(t, 1, max), null);
  }

  /** A URL with a scheme and a host; what else it must be is checked where it is used. */
  static ValueType<String> url(String placeholder) {
    return new Type<>(
        placeholder,
        "a URL such as " + (placeholder.startsWith("s3") ? placeholder : "https://host:port/path"),
        t -> {
          try {
            URI u = new URI(t);
            if (u.getScheme() == null || u.getAuthority() == null) {
              throw new IllegalArgumentException("no scheme://host");
            }
            return t;
          } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a URL");
          }
        },
        null);
  }

  /** A path, made absolute against the working directory. */
  static ValueType<Path> path(String placeholder) {
    return new Type<>(
        placeholder,
        "a path, e.g. /etc/progcache/" + placeholder.toLowerCase(Locale.ROOT),
        t -> {
          try {
            return Path.of(t).toAbsolutePath().normalize();
          } catch (InvalidPathException e) {
            throw new IllegalArgumentException(e.getReason());
          }
        },
        null);
  }

  /** Any non-empty text; {@code bare}, if not null, is what a bare {@code --key} means. */
  static ValueType<String> text(String placeholder, String accepted, @Nullable String bare) {
    return new Type<>(placeholder, accepted, t -> t, bare);
  }

  private static int whole(String t, int min, int max) {
    long n = Units.number(t);
    if (n < min || n > max) {
      throw new IllegalArgumentException(n < min ? "must be " + min + " or more" : "too large");
    }
    return (int) n;
  }

  private static InetSocketAddress address(String t, boolean portAlone) {
    int colon = t.lastIndexOf(':');
    if (colon < 0 && !portAlone) {
      throw new IllegalArgumentException("no port");
    }
    String host = colon < 0 ? "127.0.0.1" : t.substring(0, colon).replace("[", "").replace("]", "");
    long port;
    try {
      port = Units.number(t.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad port");
    }
    if (port > 65535) {
      throw new IllegalArgumentException("bad port");
    }
    return InetSocketAddress.createUnresolved(
        host.isEmpty() && portAlone ? "127.0.0.1" : host, (int) port);
  }
}
