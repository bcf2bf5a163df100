package dev.progcache.server;

/** {@code progcache serve} cannot start: bad flags, unreadable tokens, port in use. */
public final class ServeException extends Exception {
  public ServeException(String message) {
    super(message);
  }

  public ServeException(String message, Throwable cause) {
    super(message, cause);
  }
}
