package dev.progcache.client;

import java.io.IOException;

/**
 * A GOCACHEPROG helper did something the go command would not accept. This base type is used
 * directly for a bad answer to one request that leaves the session usable (a put answered without
 * {@code DiskPath}); the subclasses say more.
 */
public class ProgClientException extends IOException {
  public ProgClientException(String message) {
    super(message);
  }

  public ProgClientException(String message, Throwable cause) {
    super(message, cause);
  }
}
