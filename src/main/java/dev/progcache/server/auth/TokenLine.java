package dev.progcache.server.auth;

import dev.progcache.server.store.Namespaces;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One line of a tokens file. The form {@code progcache token create} writes:
 *
 * <pre>
 *   sha256:HEX  GRANTS  [ns=NAMESPACE] [reads=NS,NS...] [name=NAME]
 * </pre>
 *
 * where HEX is the sha256 of the token's UTF-8 bytes, GRANTS is a comma list of {@code read},
 * {@code write}, {@code modules} (downloads through the module proxy; {@code read} includes it) and
 * {@code metrics} (may read {@code /metrics}), {@code ns} is the namespace it writes and reads
 * first (default {@code main}), and {@code reads} are further namespaces it reads, in order. The
 * older form {@code TOKEN GRANTS [NAME]} (plaintext) is still accepted, in namespace {@code main},
 * with a warning.
 *
 * <p>Blank lines and lines starting with {@code #} are skipped. Immutable.
 *
 * @param digest sha256 of the token
 * @param principal what the token may do
 * @param plaintext whether the line held the token itself (the older form)
 */
record TokenLine(byte[] digest, Tokens.Principal principal, boolean plaintext) {
  static final String PREFIX = "sha256:";

  /**
   * Parses {@code line}; empty for a blank or comment line.
   *
   * @param where names the line in messages ("FILE line N")
   * @param ordinal used for a default name
   * @throws IOException naming {@code where} and the fix; never quoting a token
   */
  static Optional<TokenLine> parse(String line, String where, int ordinal) throws IOException {
    String l = line.strip();
    if (l.isEmpty() || l.startsWith("#")) {
      return Optional.empty();
    }
    String[] f = l.split("\\s+");
    if (f.length < 2) {
      throw new IOException(
          where + ": expected sha256:HEX GRANTS [ns=NS] [reads=NS,...] [name=NAME]");
    }
    Set<Tokens.Grant> grants = grants(f[1], where);
    boolean hashed = f[0].regionMatches(true, 0, PREFIX, 0, PREFIX.length());
    byte[] digest;
    if (hashed) {
      digest = hex(f[0].substring(PREFIX.length()), where);
    } else {
      if (f[0].length() < 16) {
        throw new IOException(where + ": token shorter than 16 characters");
      }
      digest = Tokens.sha256(f[0]);
    }
    String home = Namespaces.MAIN;
    List<String> reads = new ArrayList<>();
    String name = "token" + ordinal;
    for (int i = 2; i < f.length; i++) {
      int eq = f[i].indexOf('=');
      String key = eq < 0 ? "" : f[i].substring(0, eq).toLowerCase(Locale.ROOT);
      String value = eq < 0 ? f[i] : f[i].substring(eq + 1);
      switch (key) {
        case "ns" -> home = namespace(value, where);
        case "reads" -> {
          for (String n : value.split(",")) {
            reads.add(namespace(n, where));
          }
        }
        case "name" -> name = value;
        case "" -> {
          if (hashed || i != 2 || f.length != 3) {
            throw new IOException(
                where + ": unexpected \"" + safe(f[i], hashed) + "\"; use key=value");
          }
          name = value; // the older form's third field
        }
        default -> throw new IOException(where + ": unknown key \"" + key + "\" (ns, reads, name)");
      }
    }
    List<String> chain = new ArrayList<>();
    chain.add(home);
    for (String r : reads) {
      if (!chain.contains(r)) {
        chain.add(r);
      }
    }
    return Optional.of(
        new TokenLine(digest, new Tokens.Principal(name, grants, home, chain), !hashed));
  }

  /** The line for a new token: its digest, grants and namespaces. */
  static String format(byte[] digest, Tokens.Principal p) {
    StringBuilder b =
        new StringBuilder(PREFIX).append(HexFormat.of().formatHex(digest)).append(' ');
    List<String> g = new ArrayList<>();
    for (Tokens.Grant x : EnumSet.copyOf(p.grants())) {
      g.add(x.name().toLowerCase(Locale.ROOT));
    }
    b.append(String.join(",", g)).append(" ns=").append(p.home());
    if (p.reads().size() > 1) {
      b.append(" reads=").append(String.join(",", p.reads().subList(1, p.reads().size())));
    }
    return b.append(" name=").append(p.name()).toString();
  }

  /**
   * Parses a comma list of {@code read}, {@code write}, {@code modules}, {@code metrics}; {@code
   * where} names the line.
   */
  static Set<Tokens.Grant> grants(String s, String where) throws IOException {
    EnumSet<Tokens.Grant> g = EnumSet.noneOf(Tokens.Grant.class);
    for (String x : s.split(",")) {
      switch (x.toLowerCase(Locale.ROOT)) {
        case "read" -> g.add(Tokens.Grant.READ);
        case "write" -> g.add(Tokens.Grant.WRITE);
        case "modules" -> g.add(Tokens.Grant.MODULES);
        case "metrics" -> g.add(Tokens.Grant.METRICS);
        default ->
            throw new IOException(
                where + ": unknown grant \"" + x + "\" (read, write, modules, metrics)");
      }
    }
    return g;
  }

  private static String namespace(String n, String where) throws IOException {
    if (!Namespaces.valid(n)) {
      throw new IOException(where + ": bad namespace \"" + n + "\" (" + Namespaces.RULE + ")");
    }
    return n;
  }

  private static byte[] hex(String s, String where) throws IOException {
    try {
      byte[] b = HexFormat.of().parseHex(s);
      if (b.length == 32) {
        return b;
      }
    } catch (IllegalArgumentException e) {
      // below
    }
    throw new IOException(where + ": sha256: must be followed by 64 hex digits");
  }

  /** A field for a message: never a possible plaintext token. */
  private static String safe(String field, boolean hashed) {
    return hashed && field.length() < 40 ? field : "...";
  }
}
