package dev.progcache.modproxy;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A shared store of module files behind the server's disk (the {@code --s3} bucket), so that
 * replicas fetch each file from upstream once between them. Keys are {@link ModRequest#storeKey}
 * values (case-encoded, validated).
 *
 * <p>Implementations are thread-safe and blocking.
 */
interface ModStore extends AutoCloseable {
  /**
   * Copies the file named {@code key} into {@code into}.
   *
   * @return false when the store does not hold it (a miss)
   * @throws IOException when the store cannot be read; the caller goes on without it
   */
  boolean fetch(String key, Path into) throws IOException;

  /**
   * Stores the complete file {@code file} of {@code size} bytes as {@code key}; visible to every
   * reader at once or not at all.
   *
   * @throws IOException when the store did not take it
   */
  void put(String key, Path file, long size) throws IOException;

  /** How messages name the store. */
  String describe();

  @Override
  void close();
}
