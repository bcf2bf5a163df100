package dev.progcache.server.store;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.remote.RemoteTier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What stands behind one namespace's disk: a bucket shared by replicas ({@link Backing}) or another
 * cache server ({@link Upstream}). The disk answers first; the next tier is asked only when no
 * namespace of a read's chain has the entry locally.
 *
 * <p>Implementations are thread-safe.
 */
public interface NextTier extends AutoCloseable {
  /**
   * Looks {@code action} up; on a hit its body goes through {@code sink}, which verifies and stores
   * it. Any trouble is a miss. Never throws.
   */
  Optional<Hit> get(Key action, RemoteTier.ObjectSink sink);

  /**
   * Passes on a verified, stored body at {@code body} (a file that is never rewritten).
   *
   * @throws IOException when the client must be told that the write did not take effect
   */
  void put(Key action, Key output, long size, Path body) throws IOException;

  /** Releases what the tier holds for this namespace. Never throws. */
  @Override
  void close();

  /** Which next tier, if any, a namespace has. */
  @FunctionalInterface
  interface Source {
    /** None at all. */
    Source NONE = ns -> null;

    /** The tier behind namespace {@code ns}, or null when its disk stands alone. */
    @Nullable NextTier forNamespace(String ns);
  }
}
