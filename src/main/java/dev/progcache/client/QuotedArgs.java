package dev.progcache.client;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line the way go splits {@code GOCACHEPROG} ({@code cmd/internal/quoted.Split}):
 * fields are separated by spaces, tabs and newlines; a field that starts with {@code '} or {@code
 * "} runs to the next identical quote, with no escapes inside; quotes elsewhere in a field are
 * ordinary characters.
 */
public final class QuotedArgs {
  private QuotedArgs() {}

  /**
   * Returns the fields of {@code s}, possibly none.
   *
   * @throws IllegalArgumentException when a quoted field is not terminated; the message says which
   *     quote
   */
  public static List<String> split(String s) {
    List<String> fields = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      while (i < n && isSpace(s.charAt(i))) {
        i++;
      }
      if (i >= n) {
        break;
      }
      char c = s.charAt(i);
      if (c == '"' || c == '\'') {
        int end = s.indexOf(c, i + 1);
        if (end < 0) {
          throw new IllegalArgumentException(
              "unterminated " + c + " string at position " + i + " in " + s);
        }
        fields.add(s.substring(i + 1, end));
        i = end + 1;
        continue;
      }
      int start = i;
      while (i < n && !isSpace(s.charAt(i))) {
        i++;
      }
      fields.add(s.substring(start, i));
    }
    return fields;
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  /**
   * Joins {@code args} into one string that {@link #split} turns back into the same list: plain
   * words as they are, others in single or double quotes.
   *
   * @throws IllegalArgumentException when an argument holds both kinds of quote (go's split cannot
   *     express it)
   */
  public static String join(List<String> args) {
    StringBuilder b = new StringBuilder();
    for (String a : args) {
      if (!b.isEmpty()) {
        b.append(' ');
      }
      b.append(quote(a));
    }
    return b.toString();
  }

  private static String quote(String a) {
    boolean plain = !a.isEmpty() && a.charAt(0) != '\'' && a.charAt(0) != '"';
    for (int i = 0; i < a.length() && plain; i++) {
      plain = !isSpace(a.charAt(i));
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
    throw new IllegalArgumentException(
        "cannot pass " + a + " through GOCACHEPROG quoting: it holds both kinds of quote");
  }
}
