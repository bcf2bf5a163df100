package dev.progcache.protocol;

/** Input from go that cannot be parsed; the session cannot continue after it. */
public final class ProtocolException extends Exception {
  public ProtocolException(String message, Throwable cause) {
    super(message, cause);
  }

  public ProtocolException(String message) {
    super(message);
  }
}
