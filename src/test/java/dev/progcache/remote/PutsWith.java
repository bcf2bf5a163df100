package dev.progcache.remote;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** A remote that misses every get and uploads through a function: for the upload paths' tests. */
final class PutsWith {
  private PutsWith() {}

  /** What an upload does. */
  @FunctionalInterface
  interface Put {
    void put(Key action, Key output, long size, Path body) throws IOException;
  }

  /** A remote that misses every get and uploads through {@code put}. */
  static RemoteTier tier(Put put) {
    return new RemoteTier() {
      @Override
      public Optional<Hit> get(Key action, ObjectSink sink) {
        return Optional.empty();
      }

      @Override
      public void put(Key action, Key output, long size, Path body) throws IOException {
        put.put(action, output, size, body);
      }

      @Override
      public void close() {}
    };
  }
}
