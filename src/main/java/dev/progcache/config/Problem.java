package dev.progcache.config;

/**
 * A configuration problem: a bad value, an unknown flag or key, an unreadable config file. The
 * helper survives it: it prints {@link #line} and goes on; commands that must not guess ({@code
 * config}, {@code trim}, {@code serve}, ...) refuse with {@link #text}.
 *
 * @param text what is wrong, naming the setting, where it was given and the bad value
 * @param consequence what the helper does instead ("using the default 10G")
 * @param disablesTier whether the helper turns the shared tier off because of it
 */
public record Problem(String text, String consequence, boolean disablesTier) {
  /** A problem whose consequence is that the thing is ignored. */
  public static Problem ignored(String text) {
    return new Problem(text, "ignored", false);
  }

  /** One line for the helper's stderr. */
  public String line() {
    return "progcache: " + text + "; " + consequence;
  }
}
