package dev.progcache.disk;

import java.io.IOException;
import java.io.OutputStream;
import org.jspecify.annotations.Nullable;

/**
 * Counts and sha256-hashes every byte written, and forwards them to a target until the target
 * fails; after a failure it keeps counting and hashing, so the source can be read to its end.
 *
 * <p>Not thread-safe.
 */
final class HashingSink extends OutputStream {
  private final @Nullable OutputStream target;
  private final Sha256.Hasher sha256 = Sha256.newHasher();
  private long count;
  private @Nullable IOException failure;

  HashingSink(@Nullable OutputStream target) {
    this.target = target;
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    count += len;
    sha256.update(b, off, len);
    if (target != null && failure == null) {
      try {
        target.write(b, off, len);
      } catch (IOException e) {
        failure = e;
      }
    }
  }

  long count() {
    return count;
  }

  byte[] digest() {
    return sha256.digest();
  }

  /** Flushes the target and rethrows the first failure of the target, if any. */
  void finish() throws IOException {
    if (failure == null && target != null) {
      target.flush();
    }
    if (failure != null) {
      throw failure;
    }
  }
}
