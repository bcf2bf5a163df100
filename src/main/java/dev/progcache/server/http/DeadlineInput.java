package dev.progcache.server.http;

import dev.progcache.cache.BadPutException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body: fails reads once the request's time is up, so a trickling upload cannot hold a
 * slot forever. Every failure to read it (time up, the client closing the connection early) is a
 * {@link BadPutException}: the request's fault, answered 400 and counted as a rejected PUT, never a
 * server error.
 */
final class DeadlineInput extends java.io.FilterInputStream {
  private final long deadline;

  DeadlineInput(InputStream in, long deadline) {
    super(in);
    this.deadline = deadline;
  }

  @Override
  public int read() throws IOException {
    check();
    try {
      return super.read();
    } catch (IOException e) {
      throw broken(e);
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    check();
    try {
      return super.read(b, off, len);
    } catch (IOException e) {
      throw broken(e);
    }
  }

  private void check() throws BadPutException {
    if (System.nanoTime() - deadline > 0) {
      throw new BadPutException("request time limit reached before the body's end");
    }
  }

  private static BadPutException broken(IOException e) {
    if (e instanceof BadPutException b) {
      return b;
    }
    BadPutException b = new BadPutException("the request body ended before its Content-Length");
    b.initCause(e);
    return b;
  }
}
