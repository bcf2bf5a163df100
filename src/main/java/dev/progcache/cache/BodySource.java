package dev.progcache.cache;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The bytes of a put, delivered once, synchronously, to whatever the cache opens for them.
 *
 * <p>Implementations must write all their bytes even when {@code out} fails part way through, when
 * they read from a stream shared with later requests: see {@link #writeTo}.
 */
@FunctionalInterface
public interface BodySource {
  /**
   * Writes the whole body to {@code out} and returns the number of bytes written.
   *
   * @throws IOException when the body itself cannot be read (a protocol failure), not when {@code
   *     out} fails; failures of {@code out} are reported to the caller by {@code out}
   */
  long writeTo(OutputStream out) throws IOException;
}
