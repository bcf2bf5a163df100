package dev.progcache.remote.http;

import dev.progcache.remote.RemoteException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The bearer token {@link HttpTier} sends: a fixed one ({@code PROGCACHE_TOKEN}, a token file),
 * none, or one fetched when needed ({@link IdTokenSource}). Implementations are thread-safe and
 * never put the token in a message or {@code toString}.
 */
public interface Credentials {
  /**
   * The token to send, or empty to send none. May block for a bounded time (a fetch).
   *
   * @throws RemoteException of kind {@link RemoteException.Kind#NO_CREDENTIALS} when no token can
   *     be had; the message says why and what to do, without any secret
   */
  Optional<String> bearer() throws RemoteException;

  /** Starts getting the token in the background, when that takes a fetch. Returns at once. */
  default void warmUp() {}

  /** A fixed token, or none when {@code token} is null or empty. */
  static Credentials fixed(@Nullable String token) {
    Optional<String> t = token == null || token.isEmpty() ? Optional.empty() : Optional.of(token);
    return new Credentials() {
      @Override
      public Optional<String> bearer() {
        return t;
      }

      @Override
      public String toString() {
        return t.isEmpty() ? "no token" : "a fixed token";
      }
    };
  }
}
