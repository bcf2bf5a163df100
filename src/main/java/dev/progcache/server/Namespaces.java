package dev.progcache.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The server's keyspaces. Each namespace is a separate {@link ServerStore}: {@code main} in the
 * storage directory itself (where a server without namespaces kept its entries), every other one
 * under {@code ns/<name>/}. The same action ID in two namespaces are two unrelated entries; nothing
 * is shared between them, bodies included.
 *
 * <p>With {@code serve --s3}, only {@code main} is backed by the bucket and shared by replicas;
 * other namespaces live on each server's disk. Stores are opened on first use; callers open only namespaces some principal was granted, so
 * requests cannot create directories at will. Thread-safe.
 */
final class Namespaces {
  static final String MAIN = "main";
  static final String RULE = "1 to 63 of a-z 0-9 . _ -, starting with a letter or digit";
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

  private final Path dir;
  private final long otherMax;
  private final boolean mainBacked;
  private final ServerStore main;
  private final Map<String, ServerStore> others = new ConcurrentHashMap<>();
  private volatile java.util.function.BiConsumer<String, ServerStore> listener = (n, s) -> {};

  /**
   * @param mainMax size limit of {@code main}
   * @param otherMax size limit of each other namespace
   * @param backing the bucket behind {@code main}, or null; other namespaces stay on this disk
   */
  Namespaces(Path dir, long mainMax, long otherMax, @Nullable Backing backing) throws IOException {
    this.dir = dir;
    this.otherMax = otherMax;
    this.main = ServerStore.open(dir, mainMax, backing);
    this.mainBacked = backing != null;
  }

  /**
   * Whether every namespace of {@code names} is open and on this disk only, so reading it never
   * waits for a network or a directory scan.
   */
  boolean openAndLocal(java.util.List<String> names) {
    for (String n : names) {
      if (n.equals(MAIN) ? mainBacked : !others.containsKey(n)) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code name} is a well-formed namespace name (see {@link #RULE}). */
  static boolean valid(String name) {
    return NAME.matcher(name).matches();
  }

  /** The {@code main} store. */
  ServerStore main() {
    return main;
  }

  /**
   * The store of {@code name}, opened if needed.
   *
   * @throws IOException when its directory cannot be opened
   * @throws IllegalArgumentException for a malformed name
   */
  ServerStore get(String name) throws IOException {
    if (name.equals(MAIN)) {
      return main;
    }
    if (!valid(name)) {
      throw new IllegalArgumentException("bad namespace \"" + name + "\"");
    }
    try {
      return others.computeIfAbsent(name, this::open);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** The namespaces opened so far, {@code main} first, then by name. */
  java.util.SequencedMap<String, ServerStore> opened() {
    java.util.SequencedMap<String, ServerStore> out = new java.util.LinkedHashMap<>();
    out.put(MAIN, main);
    out.putAll(new java.util.TreeMap<>(others));
    return out;
  }

  /**
   * Calls {@code listener} for every namespace open now and, from then on, for each one when it
   * opens. Set it before requests arrive.
   */
  void onOpen(java.util.function.BiConsumer<String, ServerStore> listener) {
    this.listener = listener;
    opened().forEach(listener);
  }

  /** Closes every store (and the backing store's connections). */
  void close() {
    main.close();
    others.values().forEach(ServerStore::close);
  }

  private ServerStore open(String name) {
    try {
      ServerStore s = ServerStore.open(dir.resolve("ns").resolve(name), otherMax);
      listener.accept(name, s);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
