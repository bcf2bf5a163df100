package dev.progcache.remote;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A shared cache reached over the network: looks up an action's output and uploads new ones.
 *
 * <p>Implementations are thread-safe and blocking; callers bound their time (see {@link
 * BestEffort}, {@link Uploader}) and may interrupt a call to abandon it. A miss is an empty
 * optional. Every failure is an {@link IOException}; a {@link RemoteException} says which kind.
 * Bytes from a remote are untrusted: the {@link ObjectSink} verifies them.
 */
public interface RemoteTier extends AutoCloseable {
  /**
   * Looks up {@code action}. On a hit the body is handed to {@code sink} exactly once, and what the
   * sink returns is the result; on a miss the sink is not called.
   *
   * @throws IOException when the remote fails, or the sink does
   */
  Optional<Hit> get(Key action, ObjectSink sink) throws IOException;

  /**
   * Uploads the {@code size} bytes of {@code body} (a file that is never rewritten) as the output
   * {@code output} of {@code action}.
   *
   * @throws IOException when the upload did not succeed
   */
  void put(Key action, Key output, long size, Path body) throws IOException;

  /**
   * What to tell the user when the remote refuses them (HTTP 401/403): where this tier's
   * credentials come from and which grants they need. Never contains a credential.
   */
  default String credentialsHint() {
    return "check the credentials and their grants";
  }

  /** Releases connections. Never throws. */
  @Override
  void close();

  /** Receives a remote object's bytes, verifies and stores them, and returns the local hit. */
  @FunctionalInterface
  interface ObjectSink {
    /**
     * Consumes {@code body}, which claims to hold {@code size} bytes whose sha256 is {@code
     * output}.
     *
     * @throws IOException when the bytes disagree with the claim or cannot be stored
     */
    Hit store(Key output, long size, InputStream body) throws IOException;
  }
}
