package dev.progcache.cache;

import java.io.IOException;

/** A put whose body disagrees with its declared size or output ID; nothing was stored. */
public final class BadPutException extends IOException {
  public BadPutException(String message) {
    super(message);
  }
}
