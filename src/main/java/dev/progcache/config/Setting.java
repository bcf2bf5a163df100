package dev.progcache.config;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One configuration key, declared once. Its name is the same everywhere: {@code key} in the config
 * file (the top level for the helper, the {@code [serve]} table for the server), {@code --key} on
 * the command line, and {@link #env} in the environment ({@code PROGCACHE_KEY} or {@code
 * PROGCACHE_SERVE_KEY}: upper case, '-' as '_'). A {@link Kind#SECRET} setting (a token) exists
 * only in the environment and is never shown.
 *
 * <p>Immutable. A command's settings are one list of these (the helper's {@code
 * HelperConfig.SETTINGS}, the server's {@code ServeSettings.SETTINGS}); flags, environment, file,
 * usage texts, {@code progcache config} and error messages follow from it.
 *
 * @param key the file key, lower case with '-'
 * @param env the environment variable
 * @param defaultText the default, in the same form a user would write it; empty: none
 * @param type how values are parsed and what is accepted
 * @param kind what a bad value costs, and where the setting may be given
 * @param help one line for usage texts
 * @param <T> the parsed type
 */
public record Setting<T>(
    String key, String env, String defaultText, ValueType<T> type, Kind kind, String help) {

  /** A helper setting: its variable is {@code PROGCACHE_<KEY>}. */
  public Setting(String key, String defaultText, ValueType<T> type, Kind kind, String help) {
    this(key, envName("PROGCACHE_", key), defaultText, type, kind, help);
  }

  /** What a setting belongs to, which decides what a bad value costs. */
  public enum Kind {
    /** The local cache: a bad value is replaced by the default. */
    LOCAL,
    /** The shared tier: a bad value turns the shared tier off. */
    SHARED,
    /** A credential: environment only, never shown; the shared tier is off without it. */
    SECRET,
    /** The server ({@code progcache serve}): a bad value stops it from starting. */
    SERVER
  }

  /** Parses the text of a value; the message of the exception says what is wrong with it. */
  public interface ValueType<T> {
    T parse(String text) throws IllegalArgumentException;

    /** The accepted form, for error messages: "a size like 10G, or off". */
    String accepted();

    /** Whether a bare {@code --key} (no value) means "true". */
    default boolean isSwitch() {
      return false;
    }

    /**
     * What a bare {@code --key} means for a setting whose value is optional ({@code
     * --modproxy[=LIST]}), or null: a value is required (or it is a switch).
     */
    default @Nullable String bare() {
      return null;
    }

    /** The word standing for a value in usage texts: SIZE, D, FILE, URL. */
    default String placeholder() {
      return "VALUE";
    }
  }

  /** {@code prefix} and {@code key} in upper case with '-' as '_': PROGCACHE_SERVE_MAX_SIZE. */
  public static String envName(String prefix, String key) {
    return prefix + key.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** The long flag: {@code --max-size}. */
  public String flag() {
    return "--" + key;
  }

  public boolean secret() {
    return kind == Kind.SECRET;
  }

  /** Whether it may be given as a flag or in the config file (secrets may not). */
  public boolean outsideEnvironment() {
    return kind != Kind.SECRET;
  }

  /** What happens when a value of this setting is bad, for the end of a problem line. */
  public String consequence() {
    if (kind == Kind.SERVER) {
      return "the server does not start";
    }
    if (kind != Kind.LOCAL) {
      return "the shared tier is off for this command";
    }
    return "using the default " + (defaultText.isEmpty() ? "(none)" : defaultText);
  }

  /**
   * Parses {@code text}, or says what is wrong: the origin, the value (unless secret), the key and
   * the accepted form.
   */
  public Parsed<T> parse(String text, String origin) {
    try {
      return new Parsed<>(type.parse(text), null);
    } catch (IllegalArgumentException e) {
      String why = e.getMessage() == null ? "" : " (" + e.getMessage() + ")";
      return new Parsed<>(
          null,
          new Problem(
              origin
                  + ": bad value \""
                  + (secret() ? "<redacted>" : Config.withoutUserInfo(text))
                  + "\" for "
                  + key
                  + why
                  + "; expected "
                  + type.accepted(),
              consequence(),
              kind == Kind.SHARED || kind == Kind.SECRET));
    }
  }

  /** A parsed value, or the problem with the text. Exactly one is non-null. */
  public record Parsed<T>(@Nullable T value, @Nullable Problem problem) {}
}
