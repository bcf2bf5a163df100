package dev.progcache.modproxy;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A checksum database request through the proxy ({@code /mod/sumdb/<name>/...}), checked: {@code
 * supported}, {@code latest}, {@code lookup/<module>@<version>} (case-encoded) or a {@code tile/}.
 * Tiles never change once published, so they are stored; the rest passes through.
 *
 * <p>Immutable.
 *
 * @param name the database's name ({@code GOSUMDB}'s first word)
 * @param rest what follows the name
 */
record SumdbPath(String name, String rest) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9.\\-]{0,126}[a-z0-9])?");
  private static final Pattern TILE =
      Pattern.compile("tile/[0-9]{1,2}/([0-9]{1,2}|data)(/x[0-9]{3})*/[0-9]{3}(\\.p/[0-9]{1,3})?");

  /** Parses the path after {@code /mod/sumdb/}; empty when it is none of the database's files. */
  static Optional<SumdbPath> parse(String path) {
    int slash = path.indexOf('/');
    if (slash < 0 || !NAME.matcher(path.substring(0, slash)).matches()) {
      return Optional.empty();
    }
    String name = path.substring(0, slash);
    String rest = path.substring(slash + 1);
    boolean ok =
        rest.equals("supported")
            || rest.equals("latest")
            || TILE.matcher(rest).matches()
            || rest.startsWith("lookup/") && lookup(rest.substring("lookup/".length()));
    return ok ? Optional.of(new SumdbPath(name, rest)) : Optional.empty();
  }

  private static boolean lookup(String s) {
    int at = s.lastIndexOf('@');
    return at > 0
        && ModRequest.decodePath(s.substring(0, at)).isPresent()
        && ModRequest.decodeVersion(s.substring(at + 1)).isPresent();
  }

  /** Whether the file is immutable (a tile) and so stored. */
  boolean tile() {
    return rest.startsWith("tile/");
  }

  /** The path under a proxy's base URL, and this file's name in the store after a prefix. */
  String upstreamPath() {
    return "sumdb/" + name + "/" + rest;
  }
}
