package dev.progcache.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The effective configuration: for each {@link Setting}, the first of flag, environment ({@code
 * PROGCACHE_*}), config file and default that has a value, parsed, with where it came from.
 *
 * <p>Immutable. Built once by {@link #resolve}; every value was validated then.
 */
final class Config {
  /** Where a value came from, highest precedence first. */
  enum Source {
    FLAG,
    ENV,
    FILE,
    DEFAULT
  }

  /**
   * One effective value.
   *
   * @param value the parsed value; empty for a setting without default that nobody set
   * @param raw the text as written (shown unless the setting is secret)
   * @param origin where exactly: {@code --max-size}, {@code PROGCACHE_MAX_SIZE}, {@code
   *     /path/config.toml:3}, or {@code default}
   */
  record Value(Setting<?> setting, Optional<?> value, String raw, Source source, String origin) {
    /** The text to show a user: redacted for secrets, "(unset)" when absent. */
    String shown() {
      if (value.isEmpty()) {
        return "(unset)";
      }
      return setting.secret() ? "<redacted>" : raw;
    }
  }

  private final Map<String, Value> values;

  private Config(Map<String, Value> values) {
    this.values = values;
  }

  /**
   * Resolves every setting in {@code settings}.
   *
   * @param flags raw flag values by key
   * @throws ConfigException for a bad value (naming key, origin and accepted form) or an unknown
   *     key in the file
   */
  static Config resolve(
      List<Setting<?>> settings,
      Map<String, String> flags,
      Map<String, String> env,
      ConfigFile file)
      throws ConfigException {
    Map<String, Value> out = new LinkedHashMap<>();
    for (String k : file.values().keySet()) {
      if (!known(settings, k)) {
        throw new ConfigException(
            file.values().get(k).origin()
                + ": unknown key "
                + k
                + "; known keys: "
                + keys(settings));
      }
    }
    for (Setting<?> s : settings) {
      out.put(s.key(), value(s, flags, env, file));
    }
    return new Config(out);
  }

  private static Value value(
      Setting<?> s, Map<String, String> flags, Map<String, String> env, ConfigFile file)
      throws ConfigException {
    String flag = flags.get(s.key());
    if (flag != null) {
      return parsed(s, flag, Source.FLAG, s.flag());
    }
    String e = env.get(s.env());
    if (e != null && !e.isEmpty()) {
      return parsed(s, e, Source.ENV, s.env());
    }
    ConfigFile.Line line = file.values().get(s.key());
    if (line != null) {
      return parsed(s, line.raw(), Source.FILE, line.origin());
    }
    if (s.defaultText().isEmpty()) {
      return new Value(s, Optional.empty(), "", Source.DEFAULT, "default");
    }
    return parsed(s, s.defaultText(), Source.DEFAULT, "default");
  }

  private static Value parsed(Setting<?> s, String raw, Source source, String origin)
      throws ConfigException {
    return new Value(s, Optional.of(s.parse(raw, origin)), raw, source, origin);
  }

  private static boolean known(List<Setting<?>> settings, String key) {
    for (Setting<?> s : settings) {
      if (s.key().equals(key)) {
        return true;
      }
    }
    return false;
  }

  private static String keys(List<Setting<?>> settings) {
    List<String> k = new ArrayList<>();
    for (Setting<?> s : settings) {
      k.add(s.key());
    }
    return String.join(", ", k);
  }

  /** The value of {@code s}; empty only for a setting without default that nobody set. */
  <T> Optional<T> find(Setting<T> s) {
    Value v = values.get(s.key());
    if (v == null) {
      throw new IllegalArgumentException("not a resolved setting: " + s.key());
    }
    @SuppressWarnings("unchecked")
    Optional<T> t = (Optional<T>) v.value();
    return t;
  }

  /** The value of {@code s}, which has a default. */
  <T> T get(Setting<T> s) {
    Optional<T> v = find(s);
    if (v.isEmpty()) {
      throw new IllegalStateException(s.key() + " has no default");
    }
    return v.get();
  }

  /** The effective value of {@code s} with its source. */
  Value value(Setting<?> s) {
    Value v = values.get(s.key());
    if (v == null) {
      throw new IllegalArgumentException("not a resolved setting: " + s.key());
    }
    return v;
  }

  /** Every value, in the order of the settings. */
  List<Value> all() {
    return List.copyOf(values.values());
  }
}
