package dev.progcache.client;

/**
 * The helper did not answer within the configured request timeout. The request stays in flight: a
 * late answer is accepted and dropped, so the session stays usable.
 */
public final class HelperTimeoutException extends ProgClientException {
  public HelperTimeoutException(String message) {
    super(message);
  }
}
