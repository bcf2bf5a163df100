package dev.progcache.server.auth;

import dev.progcache.server.store.Namespaces;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Who may do what: bearer tokens (kept only as sha256 digests) with their grants and namespaces,
 * and optionally an anonymous principal for requests without a token. The file format is in {@link
 * TokenLine}.
 *
 * <p>A presented token is hashed and compared against every entry in constant time. Tokens never
 * appear in messages; a principal's name is what logs show. Immutable and thread-safe.
 */
public final class Tokens {
  /**
   * What a principal may do in the namespaces it has; {@code MODULES} (or {@code READ}) lets it
   * download through the module proxy ({@code /mod/}), which has no namespaces; {@code METRICS}
   * lets it read {@code /metrics}.
   */
  public enum Grant {
    READ,
    WRITE,
    MODULES,
    METRICS
  }

  /**
   * Who is asking.
   *
   * @param name what logs show (never the token)
   * @param grants read and/or write
   * @param home the namespace of requests without {@code /ns/<name>/} and the only one it writes
   * @param reads the namespaces it reads, in lookup order; {@code home} first
   */
  public record Principal(String name, Set<Grant> grants, String home, List<String> reads) {
    public Principal {
      grants = Set.copyOf(grants);
      reads = List.copyOf(reads);
      if (reads.isEmpty() || !reads.get(0).equals(home)) {
        throw new IllegalArgumentException("reads must start with the home namespace " + home);
      }
    }

    /** Whether it may look entries up in {@code ns}. */
    public boolean mayRead(String ns) {
      return grants.contains(Grant.READ) && reads.contains(ns);
    }

    /** Whether it may download modules: the modules grant, or read access to the cache. */
    public boolean mayDownloadModules() {
      return grants.contains(Grant.MODULES) || grants.contains(Grant.READ);
    }

    /** Whether it may store entries in {@code ns}: only its home namespace, with the grant. */
    public boolean mayWrite(String ns) {
      return grants.contains(Grant.WRITE) && home.equals(ns);
    }

    /** The namespaces a read in {@code ns} searches: {@code ns}, then those after it in reads. */
    public List<String> readChain(String ns) {
      int i = reads.indexOf(ns);
      return i < 0 ? List.of() : reads.subList(i, reads.size());
    }
  }

  /**
   * Anyone on loopback when no tokens are configured: read and write {@code main}, read metrics.
   */
  public static final Principal LOOPBACK_ANONYMOUS =
      new Principal(
          "anonymous", EnumSet.allOf(Grant.class), Namespaces.MAIN, List.of(Namespaces.MAIN));

  private record Item(byte[] digest, Principal principal) {}

  private final List<Item> items;
  private final @Nullable Principal anonymous;
  private final Set<String> held;

  private Tokens(List<Item> items, @Nullable Principal anonymous) {
    this.items = items;
    this.anonymous = anonymous;
    this.held = Set.copyOf(namespaces());
  }

  /** Whether some token of the file reads or writes namespace {@code ns}. */
  boolean holds(String ns) {
    return held.contains(ns);
  }

  /** No tokens: every request is {@code anonymous} (or refused when null). */
  public static Tokens anonymousOnly(@Nullable Principal anonymous) {
    return new Tokens(List.of(), anonymous);
  }

  /** The anonymous principal of {@code --insecure-anonymous}: reads main, writes only if asked. */
  public static Principal insecureAnonymous(boolean write) {
    Set<Grant> g = write ? EnumSet.of(Grant.READ, Grant.WRITE) : EnumSet.of(Grant.READ);
    return new Principal("anonymous", g, Namespaces.MAIN, List.of(Namespaces.MAIN));
  }

  int size() {
    return items.size();
  }

  /** Every namespace some principal may use (to check a file before it takes effect). */
  List<String> namespaces() {
    List<String> all = new ArrayList<>();
    for (Item it : items) {
      it.principal().reads().stream().filter(n -> !all.contains(n)).forEach(all::add);
    }
    return all;
  }

  /**
   * Reads a tokens file strictly (at start, and to check a file before it replaces the old one);
   * {@code anonymous}, when not null, serves requests without a token.
   *
   * @throws IOException when it cannot be read, holds no token, or a line is malformed or repeats a
   *     name (the message names the file and line number, never a token)
   */
  static Tokens load(Path file, @Nullable Principal anonymous, List<String> warnings)
      throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    Tokens t = parse(lines, file.toString(), anonymous, warnings, true);
    if (t.items.isEmpty()) {
      throw new IOException(
          file + " holds no tokens; add one with: progcache token create --read --tokens " + file);
    }
    return t;
  }

  /**
   * Reads the lines of a tokens file as a running server does on every change: a malformed line, or
   * one that repeats an earlier line's name, is skipped and described in {@code problems}; the
   * tokens of the other lines are exactly those valid afterwards (none for an empty file).
   */
  static Tokens lenient(
      List<String> lines, String file, @Nullable Principal anonymous, List<String> problems) {
    try {
      return parse(lines, file, anonymous, problems, false);
    } catch (IOException e) {
      throw new IllegalStateException("a lenient parse does not fail", e);
    }
  }

  private static Tokens parse(
      List<String> lines,
      String file,
      @Nullable Principal anonymous,
      List<String> warnings,
      boolean strict)
      throws IOException {
    List<Item> items = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    int plaintext = 0;
    for (int i = 0; i < lines.size(); i++) {
      String where = file + " line " + (i + 1);
      Optional<TokenLine> l;
      try {
        l = TokenLine.parse(lines.get(i), where, items.size() + 1);
        if (l.isPresent() && names.containsKey(l.get().principal().name())) {
          throw new IOException(
              where
                  + ": name \""
                  + l.get().principal().name()
                  + "\" is already used on line "
                  + names.get(l.get().principal().name())
                  + "; names must be unique (progcache token revoke NAME removes by name)");
        }
      } catch (IOException e) {
        if (strict) {
          throw e;
        }
        warnings.add(e.getMessage() + "; line skipped");
        continue;
      }
      if (l.isEmpty()) {
        continue;
      }
      names.put(l.get().principal().name(), i + 1);
      if (l.get().plaintext()) {
        plaintext++;
      }
      items.add(new Item(l.get().digest(), l.get().principal()));
    }
    if (plaintext > 0) {
      warnings.add(
          file
              + " holds "
              + plaintext
              + " plaintext token(s); replace them with hashed ones (progcache token create) so the"
              + " file gives nothing away if read");
    }
    return new Tokens(List.copyOf(items), anonymous);
  }

  /** The principals of the file, in file order. */
  List<Principal> principals() {
    return items.stream().map(Item::principal).toList();
  }

  /**
   * The principal for an {@code Authorization} header value. Without a header, or with no tokens
   * configured at all (the header is then meaningless): the anonymous principal if there is one. A
   * header that is not a bearer token, or an unknown token: empty.
   */
  Optional<Principal> check(@Nullable String authorization) {
    if (authorization == null || authorization.isBlank() || items.isEmpty()) {
      return Optional.ofNullable(anonymous);
    }
    if (authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    byte[] d = sha256(authorization.substring(7).strip());
    Principal found = null;
    for (Item it : items) {
      // every entry is compared, whether or not an earlier one matched
      if (MessageDigest.isEqual(it.digest(), d) && found == null) {
        found = it.principal();
      }
    }
    return Optional.ofNullable(found);
  }

  public static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
