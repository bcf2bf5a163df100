package dev.progcache.client;

/**
 * The session with the helper is over: it could not be started, sent no usable handshake, broke the
 * protocol (bad JSON, an answer for an unknown or already answered ID), closed its stdout before
 * close, or could not be written to. Every waiting and later request fails with this.
 */
public final class HelperFailedException extends ProgClientException {
  public HelperFailedException(String message) {
    super(message);
  }

  public HelperFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
