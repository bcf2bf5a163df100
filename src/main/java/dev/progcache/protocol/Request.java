package dev.progcache.protocol;

import org.jspecify.annotations.Nullable;

/**
 * One request from go, as decoded from its JSON line; ids are raw bytes of any length (validation
 * is the caller's job, so that a bad id can be answered with {@code Err} instead of killing the
 * session).
 *
 * @param seq 1-based position of this request in the input stream (for error messages)
 * @param objectId the old name of {@code outputId}; go may send either or both
 */
public record Request(
    long seq,
    long id,
    String command,
    byte @Nullable [] actionId,
    byte @Nullable [] outputId,
    byte @Nullable [] objectId,
    long bodySize) {

  /** The put's output id: {@code OutputID} when present, else {@code ObjectID}. */
  public byte @Nullable [] output() {
    return outputId != null ? outputId : objectId;
  }
}
