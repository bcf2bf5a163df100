package dev.progcache.cache;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A build cache as the GOCACHEPROG helper sees it: gets that may be answered later, and puts that
 * land on local disk before they return.
 *
 * <p>Implementations are thread-safe. A miss is an empty {@link Optional}; a failing shared tier is
 * a miss too. The returned future completes exceptionally only for local failures.
 */
public interface BuildCache extends AutoCloseable {
  /** Looks up an action; completes with the hit or an empty optional for a miss. */
  CompletableFuture<Optional<Hit>> get(Key actionId);

  /**
   * Stores {@code size} bytes from {@code body} as the output of {@code actionId}, verified against
   * {@code outputId} (sha256), and returns the absolute path of the stored body.
   *
   * @throws BadPutException when the body does not match {@code outputId} or {@code size}
   * @throws IOException when the local write fails (disk full, permissions)
   */
  Path put(Key actionId, Key outputId, long size, BodySource body) throws IOException;

  /** Finishes background work within the cache's own drain deadline. Never throws. */
  @Override
  void close();
}
