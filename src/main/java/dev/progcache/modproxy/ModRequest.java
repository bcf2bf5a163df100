package dev.progcache.modproxy;

import java.util.Locale;
import java.util.Optional;

/**
 * One GOPROXY request, parsed from the path after {@code /mod/} and checked: the module path and
 * version in go's case-encoding ({@code !} + lower case for each upper-case letter), which is also
 * how they are named in the store, so that no request can name anything outside it and two paths
 * differing only in case never share a file, even on a case-insensitive disk.
 *
 * <p>Immutable.
 *
 * @param kind which file
 * @param escapedPath the module path as sent (case-encoded)
 * @param path the real module path
 * @param escapedVersion the version as sent, or empty for list and latest
 * @param version the real version, or empty
 */
record ModRequest(Kind kind, String escapedPath, String path, String escapedVersion, String version)
    implements Listings.Listed {
  /** The files of the protocol. */
  enum Kind {
    LIST,
    LATEST,
    INFO,
    MOD,
    ZIP;

    /** Whether the file never changes once published (a version's info, go.mod or zip). */
    boolean immutable() {
      return this == INFO || this == MOD || this == ZIP;
    }
  }

  private static final int MAX_PATH = 1024;

  /**
   * Parses {@code rest} (the path after {@code /mod/}); empty when it is not a request of the
   * protocol or not a valid case-encoded module path and version.
   */
  static Optional<ModRequest> parse(String rest) {
    if (rest.length() > MAX_PATH) {
      return Optional.empty();
    }
    if (rest.endsWith("/@latest")) {
      String p = rest.substring(0, rest.length() - "/@latest".length());
      return decodePath(p).map(d -> new ModRequest(Kind.LATEST, p, d, "", ""));
    }
    int at = rest.lastIndexOf("/@v/");
    if (at < 0) {
      return Optional.empty();
    }
    String p = rest.substring(0, at);
    String file = rest.substring(at + 4);
    Optional<String> path = decodePath(p);
    if (path.isEmpty()) {
      return Optional.empty();
    }
    if (file.equals("list")) {
      return Optional.of(new ModRequest(Kind.LIST, p, path.get(), "", ""));
    }
    int dot = file.lastIndexOf('.');
    if (dot <= 0) {
      return Optional.empty();
    }
    Kind k =
        switch (file.substring(dot + 1)) {
          case "info" -> Kind.INFO;
          case "mod" -> Kind.MOD;
          case "zip" -> Kind.ZIP;
          default -> null;
        };
    String v = file.substring(0, dot);
    Optional<String> version = decodeVersion(v);
    if (k == null || version.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ModRequest(k, p, path.get(), v, version.get()));
  }

  /**
   * The name of this file in the store: {@code m/<escaped path>/@v/<escaped version>.<ext>}, or
   * {@code l/<escaped path>/@v/list} and {@code l/<escaped path>/@latest}.
   */
  @Override
  public String storeKey() {
    return switch (kind) {
      case LIST -> "l/" + escapedPath + "/@v/list";
      case LATEST -> "l/" + escapedPath + "/@latest";
      default ->
          "m/" + escapedPath + "/@v/" + escapedVersion + "." + kind.name().toLowerCase(Locale.ROOT);
    };
  }

  @Override
  public String upstreamPath() {
    return storeKey().substring(2);
  }

  /** What messages call it: {@code path@version} or {@code path/@v/list}. */
  @Override
  public String describe() {
    return switch (kind) {
      case LIST -> path + "/@v/list";
      case LATEST -> path + "/@latest";
      default -> path + "@" + version + " " + kind.name().toLowerCase(Locale.ROOT);
    };
  }

  /**
   * Decodes a case-encoded module path: slash-separated elements of {@code a-z 0-9 - . _ ~} and
   * {@code !x}, none empty, {@code .} or {@code ..}, none starting with a dot or dash at the start
   * of the path.
   */
  static Optional<String> decodePath(String escaped) {
    if (escaped.isEmpty() || escaped.startsWith("-") || escaped.startsWith(".")) {
      return Optional.empty();
    }
    for (String element : escaped.split("/", -1)) {
      if (element.isEmpty()
          || element.equals(".")
          || element.equals("..")
          || element.endsWith(".")) {
        return Optional.empty();
      }
    }
    return unescape(escaped, "-._~/");
  }

  /**
   * Decodes a case-encoded version: {@code a-z 0-9 - . + _} and {@code !x}, not {@code .}/{@code
   * ..}.
   */
  static Optional<String> decodeVersion(String escaped) {
    if (escaped.isEmpty()
        || escaped.equals(".")
        || escaped.equals("..")
        || escaped.startsWith("-")) {
      return Optional.empty();
    }
    return unescape(escaped, "-.+_");
  }

  private static Optional<String> unescape(String s, String punctuation) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '!') {
        if (i + 1 >= s.length() || s.charAt(i + 1) < 'a' || s.charAt(i + 1) > 'z') {
          return Optional.empty();
        }
        b.append(Character.toUpperCase(s.charAt(++i)));
      } else if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || punctuation.indexOf(c) >= 0) {
        b.append(c);
      } else {
        return Optional.empty(); // upper case, '@', '%', '\\', control characters...
      }
    }
    return Optional.of(b.toString());
  }
}
