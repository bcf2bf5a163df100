package dev.progcache.cli;

import java.util.List;

/**
 * Joins arguments into one string that go's {@code quoted.Split} (used for GOCACHEPROG) splits
 * back into the same arguments: plain words as they are, others in single or double quotes.
 */
final class GoQuote {
  private GoQuote() {}

  static String join(List<String> args) throws ConfigException {
    StringBuilder b = new StringBuilder();
    for (String a : args) {
      if (!b.isEmpty()) {
        b.append(' ');
      }
      b.append(quote(a));
    }
    return b.toString();
  }

  static String quote(String a) throws ConfigException {
    boolean plain = !a.isEmpty();
    for (int i = 0; i < a.length() && plain; i++) {
      char c = a.charAt(i);
      plain = !(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\'' || c == '"');
    }
    if (plain) {
      return a;
    }
    if (a.indexOf('\'') < 0) {
      return "'" + a + "'";
    }
    if (a.indexOf('"') < 0) {
      return "\"" + a + "\"";
    }
    throw new ConfigException(
        "cannot put " + a + " into GOCACHEPROG: it contains both kinds of quote");
  }
}
