package dev.progcache.server.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The server's keyspaces. Each namespace is a separate {@link ServerStore}: {@code main} in the
 * storage directory itself (where a server without namespaces kept its entries), every other one
 * under {@code ns/<name>/}. The same action ID in two namespaces are two unrelated entries; nothing
 * is shared between them, bodies included.
 *
 * <p>With {@code serve --s3}, only {@code main} is backed by the bucket and shared by replicas;
 * other namespaces live on each server's disk. With {@code serve --upstream}, each namespace reads
 * through to the same namespace of the upstream server (see {@link Upstream}). Stores are opened on
 * first use; callers open only namespaces some principal was granted, and a read never creates one.
 * At most {@code maxNamespaces} namespaces besides {@code main} exist (those on disk at start
 * count): a write that would create one more fails with {@link LimitReached}, which bounds the disk
 * used to {@code mainMax + maxNamespaces * otherMax} even when OIDC rules make a namespace per pull
 * request. Thread-safe.
 */
public final class Namespaces {
  public static final String MAIN = "main";
  public static final String RULE = "1 to 63 of a-z 0-9 . _ -, starting with a letter or digit";
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

  private final Path dir;
  private final long otherMax;
  private final NextTier.Source next;
  private final ServerStore main;
  private final Map<String, ServerStore> others = new ConcurrentHashMap<>();
  private final Set<String> existing = ConcurrentHashMap.newKeySet();
  private final int maxNamespaces;
  private final ReentrantLock creating = new ReentrantLock();

  /** A write would create a namespace beyond the limit. */
  public static final class LimitReached extends IOException {
    LimitReached(int max) {
      super(
          "the server already holds its maximum of "
              + max
              + " namespaces besides main (serve --max-namespaces); remove unused ones under"
              + " ns/ in its storage directory");
    }
  }

  private volatile java.util.function.BiConsumer<String, ServerStore> listener = (n, s) -> {};

  /**
   * @param mainMax size limit of {@code main}
   * @param otherMax size limit of each other namespace
   * @param next what stands behind each namespace's disk (a bucket behind {@code main} only, an
   *     upstream server behind each one)
   * @param maxNamespaces how many namespaces besides {@code main} may exist
   */
  public Namespaces(Path dir, long mainMax, long otherMax, NextTier.Source next, int maxNamespaces)
      throws IOException {
    this.dir = dir;
    this.otherMax = otherMax;
    this.next = next;
    this.maxNamespaces = maxNamespaces;
    this.main = ServerStore.open(dir, mainMax, next.forNamespace(MAIN));
    Path ns = dir.resolve("ns");
    if (Files.isDirectory(ns)) {
      try (Stream<Path> l = Files.list(ns)) {
        l.filter(Files::isDirectory)
            .map(p -> p.getFileName().toString())
            .filter(Namespaces::valid)
            .forEach(existing::add);
      }
    }
  }

  /**
   * Whether every namespace of {@code names} is open and on this disk only (no bucket or upstream
   * behind it), so reading it never waits for a network or a directory scan.
   */
  public boolean openAndLocal(java.util.List<String> names) {
    for (String n : names) {
      ServerStore s = n.equals(MAIN) ? main : others.get(n);
      if (s == null || s.hasNextTier()) {
        return false;
      }
    }
    return true;
  }

  /**
   * The store of {@code name} for reading: empty when the namespace was never written (nothing is
   * created).
   *
   * @throws IOException when its directory cannot be opened
   */
  public Optional<ServerStore> find(String name) throws IOException {
    if (name.equals(MAIN) || others.containsKey(name) || existing.contains(name)) {
      return Optional.of(get(name));
    }
    return Optional.empty();
  }

  /**
   * The store through which to read {@code name} from what stands behind it: the existing one, or,
   * when an upstream serves that namespace, a new one to keep what it sends. Empty when the
   * namespace does not exist here and nothing stands behind it (a read creates nothing then).
   *
   * @throws LimitReached when it would be one namespace too many
   * @throws IOException when its directory cannot be opened
   */
  public Optional<ServerStore> forFetch(String name) throws IOException {
    Optional<ServerStore> s = find(name);
    if (s.isPresent() || next.forNamespace(name) == null) {
      return s;
    }
    return Optional.of(get(name));
  }

  /**
   * Counts an action lookup asked along {@code chain}: a hit in namespace {@code served}, which
   * answered it; a miss (null) in the first namespace of the chain that exists here. So every
   * lookup counts once, also one a namespace without entries yet passed on to {@code main}.
   *
   * @throws IOException when a namespace's directory cannot be opened
   */
  public void counted(
      java.util.List<String> chain, @org.jspecify.annotations.Nullable String served)
      throws IOException {
    if (served != null) {
      get(served).counted(true);
      return;
    }
    for (String n : chain) {
      Optional<ServerStore> s = find(n);
      if (s.isPresent()) {
        s.get().counted(false);
        return;
      }
    }
  }

  /** Whether {@code name} is a well-formed namespace name (see {@link #RULE}). */
  public static boolean valid(String name) {
    return NAME.matcher(name).matches();
  }

  /** The storage directory. */
  public Path dir() {
    return dir;
  }

  /** The {@code main} store. */
  public ServerStore main() {
    return main;
  }

  /**
   * The store of {@code name}, opened if needed.
   *
   * @throws LimitReached when it would be one namespace too many
   * @throws IOException when its directory cannot be opened
   * @throws IllegalArgumentException for a malformed name
   */
  public ServerStore get(String name) throws IOException {
    if (name.equals(MAIN)) {
      return main;
    }
    if (!valid(name)) {
      throw new IllegalArgumentException("bad namespace \"" + name + "\"");
    }
    ServerStore s = others.get(name);
    if (s != null) {
      return s;
    }
    creating.lock();
    try {
      if (!existing.contains(name) && existing.size() >= maxNamespaces) {
        throw new LimitReached(maxNamespaces);
      }
      s = others.computeIfAbsent(name, this::open);
      existing.add(name);
      return s;
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } finally {
      creating.unlock();
    }
  }

  /** The namespaces opened so far, {@code main} first, then by name. */
  public java.util.SequencedMap<String, ServerStore> opened() {
    java.util.SequencedMap<String, ServerStore> out = new java.util.LinkedHashMap<>();
    out.put(MAIN, main);
    out.putAll(new java.util.TreeMap<>(others));
    return out;
  }

  /**
   * Calls {@code listener} for every namespace open now and, from then on, for each one when it
   * opens. Set it before requests arrive.
   */
  public void onOpen(java.util.function.BiConsumer<String, ServerStore> listener) {
    this.listener = listener;
    opened().forEach(listener);
  }

  /** Closes every store (and the backing store's connections). */
  public void close() {
    main.close();
    others.values().forEach(ServerStore::close);
  }

  private ServerStore open(String name) {
    try {
      ServerStore s =
          ServerStore.open(dir.resolve("ns").resolve(name), otherMax, next.forNamespace(name));
      listener.accept(name, s);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
