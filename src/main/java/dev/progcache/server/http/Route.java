package dev.progcache.server.http;

import dev.progcache.cache.Key;
import dev.progcache.server.store.Namespaces;
import dev.progcache.wire.Paths;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A request's method and path, parsed once: what it asks for, in which namespace, about which ids.
 * Parsing does not check tokens and never fails: a path that names nothing is {@link
 * Kind#NOT_FOUND}, a bad namespace or id is a kind of its own, answered 400.
 *
 * @param namespace the namespace the path names ({@code /ns/<name>/...}), or null for the
 *     principal's home
 * @param first the action id of {@code action/}, {@code PUT} and {@code manifest/} (the context),
 *     or the output id of {@code output/}; null for other kinds
 * @param second the output id of a {@code PUT}; null for other kinds
 */
record Route(Kind kind, @Nullable String namespace, @Nullable Key first, @Nullable Key second) {
  /** What a request asks for. */
  enum Kind {
    HEALTH,
    METRICS,
    BATCH,
    /** {@code GET /grants}: what the token may do ({@link GrantsEndpoint}). */
    GRANTS,
    MANIFEST_GET,
    MANIFEST_POST,
    ACTION,
    OUTPUT,
    PUT,
    /** {@code /ns/<name>} with a name that breaks {@link Namespaces#RULE}. */
    BAD_NAMESPACE,
    /** An id that is not 64 hex digits. */
    BAD_ID,
    NOT_FOUND
  }

  /** Whether the request only reads (GET or HEAD). */
  static boolean reads(String method) {
    return method.equals("GET") || method.equals("HEAD");
  }

  /** Parses {@code method} and {@code path} (the path in context, starting with {@code /}). */
  static Route parse(String method, String path) {
    boolean get = reads(method);
    if (get && path.equals("/healthz")) {
      return of(Kind.HEALTH, null);
    }
    if (get && path.equals("/metrics")) {
      return of(Kind.METRICS, null);
    }
    String ns = null;
    String nsPrefix = "/" + Paths.NAMESPACE + "/";
    if (path.startsWith(nsPrefix)) {
      int end = path.indexOf('/', nsPrefix.length());
      ns = end < 0 ? path.substring(nsPrefix.length()) : path.substring(nsPrefix.length(), end);
      if (!Namespaces.valid(ns)) {
        return of(Kind.BAD_NAMESPACE, ns);
      }
      path = end < 0 ? "" : path.substring(end);
    }
    if (method.equals("POST") && path.equals("/" + Paths.BATCH)) {
      return of(Kind.BATCH, ns);
    }
    if (get && path.equals("/grants")) {
      return of(Kind.GRANTS, ns);
    }
    String[] parts = path.split("/", -1);
    if (parts.length == 3 && parts[1].equals(Paths.MANIFEST) && (get || method.equals("POST"))) {
      return withIds(get ? Kind.MANIFEST_GET : Kind.MANIFEST_POST, ns, parts[2], null);
    }
    if (parts.length != 3 || !parts[0].isEmpty()) {
      return of(Kind.NOT_FOUND, ns);
    }
    if (get && parts[1].equals(Paths.ACTION)) {
      return withIds(Kind.ACTION, ns, parts[2], null);
    }
    if (get && parts[1].equals(Paths.OUTPUT)) {
      return withIds(Kind.OUTPUT, ns, parts[2], null);
    }
    if (method.equals("PUT")) {
      return withIds(Kind.PUT, ns, parts[1], parts[2]);
    }
    return of(Kind.NOT_FOUND, ns);
  }

  /** The first id; only for kinds that carry one. */
  Key id() {
    if (first == null) {
      throw new IllegalStateException("a " + kind + " route has no id");
    }
    return first;
  }

  /** The output id of a PUT. */
  Key output() {
    if (second == null) {
      throw new IllegalStateException("a " + kind + " route has no output id");
    }
    return second;
  }

  private static Route of(Kind kind, @Nullable String ns) {
    return new Route(kind, ns, null, null);
  }

  private static Route withIds(Kind kind, @Nullable String ns, String hex, @Nullable String hex2) {
    Optional<Key> a = key(hex);
    Optional<Key> b = hex2 == null ? Optional.empty() : key(hex2);
    if (a.isEmpty() || (hex2 != null && b.isEmpty())) {
      return of(Kind.BAD_ID, ns);
    }
    return new Route(kind, ns, a.get(), b.orElse(null));
  }

  private static Optional<Key> key(String hex) {
    if (hex.length() != Key.LENGTH * 2) {
      return Optional.empty();
    }
    try {
      return Optional.of(Key.ofHex(hex));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
