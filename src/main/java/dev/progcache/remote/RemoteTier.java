package dev.progcache.remote;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.wire.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
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
   * Looks up many actions at once (a prefetch): every hit is handed to {@code sink}, in any order;
   * misses are not reported. The default asks {@link #get} for each in turn; a tier with a batch
   * request answers in fewer round trips.
   *
   * @throws IOException when the remote fails, or the sink does; hits already handed over stay
   */
  default void getMany(List<Key> actions, BatchSink sink) throws IOException {
    for (Key a : actions) {
      get(a, (out, size, body) -> sink.store(a, out, size, body));
    }
  }

  /**
   * The prefetch manifest of build context {@code context}: action IDs earlier builds used, those
   * go asked for first. Empty when there is none or the tier does not keep manifests. The ids are
   * untrusted hints: what they name is verified like any other remote object.
   *
   * @throws IOException when the remote fails
   */
  default Optional<Manifest> manifest(Key context) throws IOException {
    return Optional.empty();
  }

  /**
   * Adds one build's {@code report} to the manifest of {@code context}, keeping what other builds
   * added (a union; an id once asked for stays asked for). Does nothing on a tier without
   * manifests.
   *
   * @throws IOException when the remote fails
   */
  default void addToManifest(Key context, Manifest report) throws IOException {}

  /**
   * What to tell the user when the remote refuses them (HTTP 401/403): where this tier's
   * credentials come from and which grants they need. Never contains a credential.
   */
  default String credentialsHint() {
    return "check the credentials and their grants";
  }

  /**
   * Starts connecting in the background (building the client, fetching credentials), so that the
   * first request finds it done; the first request would do it otherwise. Returns at once.
   */
  default void warmUp() {}

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

  /** Receives the objects of a {@link #getMany}, each with the action it answers. */
  @FunctionalInterface
  interface BatchSink {
    /**
     * Consumes {@code body} of action {@code action}, which claims to hold {@code size} bytes whose
     * sha256 is {@code output}.
     *
     * @throws IOException when the bytes disagree with the claim or cannot be stored
     */
    Hit store(Key action, Key output, long size, InputStream body) throws IOException;
  }
}
