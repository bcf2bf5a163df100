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
  private final ServerStore main;
  private final Map<String, ServerStore> others = new ConcurrentHashMap<>();

  /**
   * @param mainMax size limit of {@code main}
   * @param otherMax size limit of each other namespace
   * @param backing the bucket behind {@code main}, or null; other namespaces stay on this disk
   */
  Namespaces(Path dir, long mainMax, long otherMax, @Nullable Backing backing) throws IOException {
    this.dir = dir;
    this.otherMax = otherMax;
    this.main = ServerStore.open(dir, mainMax, backing);
  }

  /** Whether {@code name} is a well-formed namespace name (see {@link #RULE}). */
  static boolean valid(String name) {
    return NAME.matcher(name).matches();
  }

  /** The storage directory. */
  Path dir() {
    return dir;
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

  /** Closes every store (and the backing store's connections). */
  void close() {
    main.close();
    others.values().forEach(ServerStore::close);
  }

  private ServerStore open(String name) {
    try {
      return ServerStore.open(dir.resolve("ns").resolve(name), otherMax);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
