package dev.progcache.modproxy;

import java.nio.file.Files;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A checksum database request through the proxy ({@code /mod/sumdb/<name>/...}), checked: {@code
 * supported}, {@code latest}, {@code lookup/<module>@<version>} (case-encoded) or a {@code tile/}.
 * Tiles never change once published, so they are stored ({@code s/<name>/tile/...}); the others
 * change and are kept as {@link Listings} keep lists ({@code l/sumdb/<name>/...}): asked again
 * after the time to live, the last good answer served while the upstream fails.
 *
 * <p>Immutable.
 *
 * @param name the database's name ({@code GOSUMDB}'s first word)
 * @param rest what follows the name
 */
record SumdbPath(String name, String rest) implements Listings.Listed {
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9.\\-]{0,126}[a-z0-9])?");
  private static final Pattern TILE =
      Pattern.compile(
          "tile/([0-9]{1,2})/([0-9]{1,2}|data)(/x[0-9]{3})*/[0-9]{3}(\\.p/([0-9]{1,3}))?");

  /** Bytes of one hash in a tile (SHA-256). */
  private static final int HASH_SIZE = 32;

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

  @Override
  public String upstreamPath() {
    return "sumdb/" + name + "/" + rest;
  }

  @Override
  public String storeKey() {
    return tile() ? "s/" + name + "/" + rest : "l/" + upstreamPath();
  }

  @Override
  public String describe() {
    return upstreamPath();
  }

  /**
   * The check of a fetched tile before it is stored: a tile of hashes holds exactly its width
   * ({@code .p/W}, else 2^H) hashes of 32 bytes, so an error page or a short answer is never kept.
   * Record data tiles ({@code data}) have no fixed size.
   */
  StoredFiles.Check check() {
    Matcher m = TILE.matcher(rest);
    if (!m.matches() || m.group(2).equals("data")) {
      return StoredFiles.Check.NONE;
    }
    long width =
        m.group(5) != null ? Long.parseLong(m.group(5)) : 1L << Integer.parseInt(m.group(1));
    long want = width * HASH_SIZE;
    return f -> {
      long size = Files.size(f);
      return size == want
          ? Optional.empty()
          : Optional.of(
              "the tile "
                  + upstreamPath()
                  + " has "
                  + size
                  + " bytes, not the "
                  + want
                  + " of "
                  + width
                  + " hashes");
    };
  }
}
