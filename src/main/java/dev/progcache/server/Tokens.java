package dev.progcache.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Bearer tokens and what each may do. File format, one token a line ({@code #} comments):
 *
 * <pre>
 *   TOKEN  read,write  [name]
 * </pre>
 *
 * <p>Only sha256 digests of tokens are kept; a presented token is compared against every entry in
 * constant time. Immutable and thread-safe. Tokens never appear in messages; the optional name is
 * what logs show.
 */
final class Tokens {
  /** What a token allows. */
  enum Grant {
    READ,
    WRITE
  }

  /** Who is asking: the name from the tokens file, and the grants. */
  record Principal(String name, Set<Grant> grants) {
    boolean may(Grant g) {
      return grants.contains(g);
    }
  }

  static final Principal ANONYMOUS_ALL = new Principal("-", EnumSet.allOf(Grant.class));

  private record Item(byte[] digest, Principal principal) {}

  private final List<Item> items;

  private Tokens(List<Item> items) {
    this.items = items;
  }

  /** No tokens configured: everyone may read and write (the server then listens on loopback). */
  static Tokens none() {
    return new Tokens(List.of());
  }

  boolean enabled() {
    return !items.isEmpty();
  }

  int size() {
    return items.size();
  }

  /**
   * Reads a tokens file.
   *
   * @throws IOException when it cannot be read or a line is malformed (the message names the line
   *     number, never the token)
   */
  static Tokens load(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] f = l.split("\\s+");
      if (f.length < 2 || f.length > 3) {
        throw new IOException(file + " line " + (i + 1) + ": expected TOKEN GRANTS [NAME]");
      }
      if (f[0].length() < 16) {
        throw new IOException(file + " line " + (i + 1) + ": token shorter than 16 characters");
      }
      EnumSet<Grant> g = EnumSet.noneOf(Grant.class);
      for (String s : f[1].split(",")) {
        switch (s.toLowerCase(Locale.ROOT)) {
          case "read" -> g.add(Grant.READ);
          case "write" -> g.add(Grant.WRITE);
          default ->
              throw new IOException(
                  file + " line " + (i + 1) + ": unknown grant \"" + s + "\" (read, write)");
        }
      }
      String name = f.length == 3 ? f[2] : "token" + (items.size() + 1);
      items.add(new Item(sha256(f[0]), new Principal(name, g)));
    }
    if (items.isEmpty()) {
      throw new IOException(file + " holds no tokens");
    }
    return new Tokens(List.copyOf(items));
  }

  /**
   * The principal for an {@code Authorization} header value; empty when the header is absent,
   * not a bearer token, or an unknown token. With no tokens configured, everyone is allowed all.
   */
  Optional<Principal> check(@Nullable String authorization) {
    if (items.isEmpty()) {
      return Optional.of(ANONYMOUS_ALL);
    }
    if (authorization == null
        || authorization.length() < 7
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    byte[] d = sha256(authorization.substring(7).strip());
    Principal found = null;
    for (Item it : items) {
      if (MessageDigest.isEqual(it.digest(), d) && found == null) {
        found = it.principal();
      }
    }
    return Optional.ofNullable(found);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
