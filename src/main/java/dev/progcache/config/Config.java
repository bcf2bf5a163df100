package dev.progcache.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The effective configuration: for each {@link Setting}, the first of flag, environment ({@code
 * PROGCACHE_*}), config file and default that has a value, parsed, with where it came from.
 *
 * <p>Immutable. Built once by {@link #resolve}; every value was validated then, and a value that
 * failed is replaced by the default and listed in {@link #problems}.
 */
public final class Config {
  /** Where a value came from, highest precedence first. */
  public enum Source {
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
  public record Value(
      Setting<?> setting, Optional<?> value, String raw, Source source, String origin) {
    /**
     * The text to show a user: {@code <set>}/{@code <unset>} for secrets, "(unset)" when absent.
     */
    public String shown() {
      if (value.isEmpty()) {
        return setting.secret() ? "<unset>" : "(unset)";
      }
      return setting.secret() ? "<set>" : withoutUserInfo(raw);
    }
  }

  /** The user-info part of a URL ({@code user:password@}), which is a secret too. */
  private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/@?#]*@");

  /** {@code text} with the user-info of any URL in it shown as {@code <set>}. */
  static String withoutUserInfo(String text) {
    return USER_INFO.matcher(text).replaceAll("$1<set>@");
  }

  private final Map<String, Value> values;
  private final List<Problem> problems;

  private Config(Map<String, Value> values, List<Problem> problems) {
    this.values = values;
    this.problems = problems;
  }

  /** A value of the config file and where it was written ({@code /path/config.toml:3}). */
  public record Line(String raw, String origin) {}

  /**
   * Resolves every setting in {@code settings}. Never fails: a bad value is a {@link Problem} and
   * the setting takes its default. Keys of {@code file} that are no setting, or a secret's, are not
   * read here (the caller reports them); an empty environment variable is not set.
   *
   * @param flags raw flag values by key
   * @param file raw file values by key
   */
  public static Config resolve(
      List<Setting<?>> settings,
      Map<String, String> flags,
      Map<String, String> env,
      Map<String, Line> file) {
    Map<String, Value> out = new LinkedHashMap<>();
    List<Problem> problems = new ArrayList<>();
    for (Setting<?> s : settings) {
      out.put(s.key(), value(s, flags, env, file, problems));
    }
    return new Config(out, List.copyOf(problems));
  }

  private static Value value(
      Setting<?> s,
      Map<String, String> flags,
      Map<String, String> env,
      Map<String, Line> file,
      List<Problem> problems) {
    String flag = flags.get(s.key());
    if (flag != null) {
      return parsed(s, flag, Source.FLAG, s.flag(), problems);
    }
    String e = env.get(s.env());
    if (e != null && !e.isEmpty()) {
      return parsed(s, e, Source.ENV, s.env(), problems);
    }
    Line line = file.get(s.key());
    if (line != null && s.outsideEnvironment()) {
      return parsed(s, line.raw(), Source.FILE, line.origin(), problems);
    }
    return byDefault(s);
  }

  private static Value byDefault(Setting<?> s) {
    if (s.defaultText().isEmpty()) {
      return new Value(s, Optional.empty(), "", Source.DEFAULT, "default");
    }
    Setting.Parsed<?> p = s.parse(s.defaultText(), "default");
    if (p.problem() != null) {
      throw new IllegalStateException("bad default of " + s.key() + ": " + p.problem().text());
    }
    return new Value(s, Optional.of(p.value()), s.defaultText(), Source.DEFAULT, "default");
  }

  private static Value parsed(
      Setting<?> s, String raw, Source source, String origin, List<Problem> problems) {
    Setting.Parsed<?> p = s.parse(raw, origin);
    if (p.problem() != null) {
      problems.add(p.problem());
      return byDefault(s);
    }
    return new Value(s, Optional.of(p.value()), raw, source, origin);
  }

  /**
   * What was wrong with the flags, environment and file; each setting concerned took its default.
   */
  public List<Problem> problems() {
    return problems;
  }

  /** The value of {@code s}; empty only for a setting without default that nobody set. */
  public <T> Optional<T> find(Setting<T> s) {
    Value v = values.get(s.key());
    if (v == null) {
      throw new IllegalArgumentException("not a resolved setting: " + s.key());
    }
    @SuppressWarnings("unchecked")
    Optional<T> t = (Optional<T>) v.value();
    return t;
  }

  /** The value of {@code s}, which has a default. */
  public <T> T get(Setting<T> s) {
    Optional<T> v = find(s);
    if (v.isEmpty()) {
      throw new IllegalStateException(s.key() + " has no default");
    }
    return v.get();
  }

  /** The effective value of {@code s} with its source. */
  public Value value(Setting<?> s) {
    Value v = values.get(s.key());
    if (v == null) {
      throw new IllegalArgumentException("not a resolved setting: " + s.key());
    }
    return v;
  }

  /** Every value, in the order of the settings. */
  public List<Value> all() {
    return List.copyOf(values.values());
  }
}
