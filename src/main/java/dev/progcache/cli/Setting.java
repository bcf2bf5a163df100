package dev.progcache.cli;

import java.util.Locale;

/**
 * One configuration key. Its name is the same everywhere: {@code key} in the config file, {@code
 * --key} on the command line, {@code PROGCACHE_KEY} (upper case, '-' as '_') in the environment.
 *
 * <p>Immutable. Adding a key means adding one constant to {@link HelperConfig#SETTINGS} (and its
 * line to {@link HelperConfig#USAGE}); flags, environment, file, {@code progcache config} and error
 * messages follow from it. A {@code secret} key (a token) is never shown.
 *
 * @param key the file key, lower case with '-'
 * @param defaultText the default, in the same form a user would write it
 * @param type how values are parsed and what is accepted
 * @param secret whether the value is redacted when shown
 * @param help one line for usage texts
 * @param <T> the parsed type
 */
record Setting<T>(String key, String defaultText, ValueType<T> type, boolean secret, String help) {

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

  /** Parses {@code text}, naming the key, where it came from, and the accepted form on failure. */
  T parse(String text, String origin) throws ConfigException {
    try {
      return type.parse(text);
    } catch (IllegalArgumentException e) {
      String why = e.getMessage() == null ? "" : " (" + e.getMessage() + ")";
      throw new ConfigException(
          origin
              + ": bad value \""
              + (secret ? "<redacted>" : text)
              + "\" for "
              + key
              + why
              + "; expected "
              + type.accepted());
    }
  }
}
