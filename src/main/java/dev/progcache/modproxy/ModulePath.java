package dev.progcache.modproxy;

/** go's case-encoding of module paths and versions, for URLs and file names. Stateless. */
public final class ModulePath {
  private ModulePath() {}

  /** Each upper-case letter of {@code s} as {@code !} + its lower case, as go sends it. */
  public static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 4);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        b.append('!').append((char) (c + ('a' - 'A')));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
