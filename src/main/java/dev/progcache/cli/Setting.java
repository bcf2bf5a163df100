package dev.progcache.cli;

import java.util.Locale;

/**
 * One configuration key, declared once. Its name is the same everywhere: {@code key} in the config
 * file, {@code --key} on the command line, {@code PROGCACHE_KEY} (upper case, '-' as '_') in the
 * environment. A {@link Kind#SECRET} setting (a token) exists only in the environment and is never
 * shown.
 *
 * <p>Immutable. Adding a key means adding one constant to {@link HelperConfig#SETTINGS} (and its
 * line to {@link HelperConfig#USAGE}); flags, environment, file, {@code progcache config}, {@code
 * doctor} and error messages follow from it.
 *
 * @param key the file key, lower case with '-'
 * @param defaultText the default, in the same form a user would write it
 * @param type how values are parsed and what is accepted
 * @param kind what a bad value costs, and where the setting may be given
 * @param help one line for usage texts
 * @param <T> the parsed type
 */
record Setting<T>(String key, String defaultText, ValueType<T> type, Kind kind, String help) {

  /** What a setting belongs to, which decides what a bad value costs. */
  enum Kind {
    /** The local cache: a bad value is replaced by the default. */
    LOCAL,
    /** The shared tier: a bad value turns the shared tier off. */
    SHARED,
    /** A credential of the shared tier: environment only, never shown. */
    SECRET
  }

  /** Parses the text of a value; the message of the exception says what is wrong with it. */
  interface ValueType<T> {
    T parse(String text) throws IllegalArgumentException;

    /** The accepted form, for error messages: "a size like 10G, or off". */
    String accepted();

    /** Whether a bare {@code --key} (no value) means "true". */
    default boolean isSwitch() {
      return false;
    }
  }

  /** The environment variable: {@code PROGCACHE_MAX_SIZE} for {@code max-size}. */
  String env() {
    return "PROGCACHE_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** The long flag: {@code --max-size}. */
  String flag() {
    return "--" + key;
  }

  boolean secret() {
    return kind == Kind.SECRET;
  }

  /** Whether it may be given as a flag or in the config file (secrets may not). */
  boolean outsideEnvironment() {
    return kind != Kind.SECRET;
  }

  /** What happens when a value of this setting is bad, for the end of a problem line. */
  String consequence() {
    if (kind != Kind.LOCAL) {
      return "the shared tier is off for this command";
    }
    return "using the default " + (defaultText.isEmpty() ? "(none)" : defaultText);
  }

  /**
   * Parses {@code text}, or says what is wrong: the origin, the value (unless secret), the key and
   * the accepted form.
   */
  Parsed<T> parse(String text, String origin) {
    try {
      return new Parsed<>(type.parse(text), null);
    } catch (IllegalArgumentException e) {
      String why = e.getMessage() == null ? "" : " (" + e.getMessage() + ")";
      return new Parsed<>(
          null,
          new Problem(
              origin
                  + ": bad value \""
                  + (secret() ? "<redacted>" : text)
                  + "\" for "
                  + key
                  + why
                  + "; expected "
                  + type.accepted(),
              consequence(),
              kind != Kind.LOCAL));
    }
  }

  /** A parsed value, or the problem with the text. Exactly one is non-null. */
  record Parsed<T>(
      @org.jspecify.annotations.Nullable T value,
      @org.jspecify.annotations.Nullable Problem problem) {}
}
