package dev.progcache.server;

import dev.progcache.config.Setting;
import java.util.List;
import java.util.Map;

/** The usage text of {@code progcache serve}, made from {@link ServeSettings#SETTINGS}. */
final class ServeUsage {
  private ServeUsage() {}

  private static final int COLUMN = 30;
  private static final int WIDTH = 100;

  static final String HEADER =
      """
      usage: progcache serve [flags]
      Each flag is also PROGCACHE_SERVE_<FLAG> in the environment (PROGCACHE_SERVE_MAX_SIZE=20G,
      PROGCACHE_SERVE_INSECURE_ANONYMOUS=true) and a key of the [serve] table of the config file
      (max-size = 20G); flag > environment > file > default. Sizes like 512M, 10G or 10GiB (or
      plain bytes); durations like 500ms, 30s, 5m, 12h or 30d (a plain number is seconds).
      A bad value stops the server (exit status 2) with a message naming it.
      """;

  /** The header, then one entry per setting: its flag (or variable) and its help, wrapped. */
  static String text(List<Setting<?>> settings, Map<String, Setting<?>> formerEnv) {
    StringBuilder b = new StringBuilder(HEADER);
    for (Setting<?> s : settings) {
      StringBuilder help = new StringBuilder(s.help());
      if (!s.defaultText().isEmpty() && !s.type().isSwitch()) {
        help.append(" (default ").append(s.defaultText()).append(')');
      }
      formerEnv.forEach(
          (name, of) -> {
            if (of == s) {
              help.append(" (also ").append(name).append(')');
            }
          });
      entry(b, "  " + left(s), help.toString());
    }
    return b.toString();
  }

  /** {@code --key PLACEHOLDER}, {@code --key[=PLACEHOLDER]}, {@code --switch} or the variable. */
  static String left(Setting<?> s) {
    if (!s.outsideEnvironment()) {
      return s.env();
    }
    if (s.type().isSwitch()) {
      return s.flag();
    }
    String p = s.type().placeholder();
    return s.type().bare() != null ? s.flag() + "[=" + p + "]" : s.flag() + " " + p;
  }

  private static void entry(StringBuilder b, String left, String help) {
    StringBuilder line = new StringBuilder(left);
    if (left.length() > COLUMN - 2) {
      b.append(line).append('\n');
      line.setLength(0);
    }
    for (String word : help.split(" ")) {
      pad(line);
      if (line.length() > COLUMN && line.length() + 1 + word.length() > WIDTH) {
        b.append(line).append('\n');
        line.setLength(0);
        pad(line);
      }
      line.append(line.length() > COLUMN ? " " : "").append(word);
    }
    b.append(line).append('\n');
  }

  private static void pad(StringBuilder line) {
    while (line.length() < COLUMN) {
      line.append(' ');
    }
  }
}
