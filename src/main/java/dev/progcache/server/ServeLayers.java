package dev.progcache.server;

import dev.progcache.config.Config;
import dev.progcache.config.Setting;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The layers of serve's settings: flags, then {@code PROGCACHE_SERVE_*} variables, then the config
 * file's {@code [serve]} table, then defaults, each read for every setting of {@link
 * ServeSettings#SETTINGS} and resolved by {@link Config}. A blank value is no value. Unlike the
 * helper, the server refuses to guess: the first problem is thrown. Stateless.
 */
final class ServeLayers {
  private ServeLayers() {}

  private static final String HINT = " (progcache serve --help shows the usage)";

  /**
   * The effective settings.
   *
   * @param file the {@code [serve]} table: values by key, each with where it was written
   * @throws ServeException naming the flag, variable or file line, the bad value (never a secret's)
   *     and what is accepted
   */
  static Config resolve(
      List<String> args, Map<String, String> env, Map<String, Map.Entry<String, String>> file)
      throws ServeException {
    Config c = layered(args, env, file);
    if (!c.problems().isEmpty()) {
      throw new ServeException(c.problems().getFirst().text());
    }
    return c;
  }

  /**
   * As {@link #resolve}, but a bad value is left in {@link Config#problems} (the setting shows its
   * default), for a command that lists them all.
   *
   * @throws ServeException for what is not a value: an unknown flag or key, a secret outside the
   *     environment, a flag without its value
   */
  static Config layered(
      List<String> args, Map<String, String> env, Map<String, Map.Entry<String, String>> file)
      throws ServeException {
    return Config.resolve(ServeSettings.SETTINGS, flags(args), environment(env), fileLines(file));
  }

  /** The flags' values by key; a later flag wins. */
  static Map<String, String> flags(List<String> args) throws ServeException {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (!a.startsWith("-")) {
        throw new ServeException("unexpected argument \"" + a + "\"" + HINT);
      }
      String name = a.replaceFirst("^--?", "");
      int eq = name.indexOf('=');
      String key = eq < 0 ? name : name.substring(0, eq);
      Optional<Setting<?>> found = ServeSettings.find(key);
      if (found.isEmpty()) {
        throw new ServeException( // not a: a mistyped secret flag would show its value
            "unknown flag " + a.substring(0, a.length() - name.length()) + key + HINT);
      }
      Setting<?> s = found.get();
      if (!s.outsideEnvironment()) {
        throw new ServeException( // not a: --upstream-token=VALUE would show the value
            s.flag() + ": a secret is read only from the environment (" + s.env() + ")");
      }
      String bare = s.type().isSwitch() ? "true" : s.type().bare();
      String v;
      if (eq >= 0) {
        v = name.substring(eq + 1);
      } else if (bare != null
          && (s.type().isSwitch() || i + 1 >= args.size() || args.get(i + 1).startsWith("-"))) {
        v = bare;
      } else if (i + 1 < args.size()) {
        v = args.get(++i);
      } else {
        throw new ServeException(a + " needs a value: " + s.type().accepted() + HINT);
      }
      if (!v.isBlank()) {
        values.put(key, v);
      } else {
        values.remove(key);
      }
    }
    return values;
  }

  /** The settings' variables that are set and not blank, former names below current ones. */
  private static Map<String, String> environment(Map<String, String> env) {
    Map<String, String> out = new HashMap<>();
    ServeSettings.FORMER_ENV.forEach(
        (former, s) -> {
          String v = env.get(former);
          if (v != null && !v.isBlank()) {
            out.put(s.env(), v);
          }
        });
    for (Setting<?> s : ServeSettings.SETTINGS) {
      String v = env.get(s.env());
      if (v != null && !v.isBlank()) {
        out.put(s.env(), v);
      }
    }
    return out;
  }

  /** The table's values that are not blank; an unknown key or a secret's stops the server. */
  private static Map<String, Config.Line> fileLines(Map<String, Map.Entry<String, String>> file)
      throws ServeException {
    Map<String, Config.Line> out = new HashMap<>();
    for (Map.Entry<String, Map.Entry<String, String>> e : file.entrySet()) {
      String key = e.getKey();
      String raw = e.getValue().getKey();
      String origin = e.getValue().getValue();
      Optional<Setting<?>> s = ServeSettings.find(key);
      if (s.isEmpty()) {
        throw new ServeException(
            origin + ": unknown server setting " + key + " (progcache serve --help lists them)");
      }
      if (!s.get().outsideEnvironment()) {
        throw new ServeException(
            origin
                + ": "
                + key
                + " is a secret and is read only from the environment ("
                + s.get().env()
                + ")");
      }
      if (!raw.isBlank()) {
        out.put(key, new Config.Line(raw, origin));
      }
    }
    return out;
  }
}
