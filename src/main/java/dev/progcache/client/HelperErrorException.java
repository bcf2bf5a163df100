package dev.progcache.client;

/** The helper answered a request with {@code Err}; the session stays usable. */
public final class HelperErrorException extends ProgClientException {
  private final String helperMessage;

  public HelperErrorException(String command, long id, String helperMessage) {
    super("GOCACHEPROG answered " + command + " (ID " + id + ") with an error: " + helperMessage);
    this.helperMessage = helperMessage;
  }

  /** The helper's {@code Err} text as sent. */
  public String helperMessage() {
    return helperMessage;
  }
}
