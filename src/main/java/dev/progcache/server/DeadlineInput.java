package dev.progcache.server;

import java.io.IOException;
import java.io.InputStream;

/** Fails reads once the request's time is up, so a trickling upload cannot hold a slot forever. */
final class DeadlineInput extends java.io.FilterInputStream {
  private final long deadline;

  DeadlineInput(InputStream in, long deadline) {
    super(in);
    this.deadline = deadline;
  }

  @Override
  public int read() throws IOException {
    check();
    return super.read();
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    check();
    return super.read(b, off, len);
  }

  private void check() throws IOException {
    if (System.nanoTime() - deadline > 0) {
      throw new IOException("request time limit reached");
    }
  }
}
