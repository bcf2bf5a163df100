package dev.progcache.wire;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A response body that must hold exactly {@code size} bytes: reads end after {@code size} bytes,
 * and fail when the source ends early or has more. Protects the disk from endless bodies.
 *
 * <p>Not thread-safe.
 */
public final class ExactBody extends FilterInputStream {
  private final long size;
  private long left;

  public ExactBody(InputStream in, long size) {
    super(in);
    this.size = size;
    this.left = size;
  }

  @Override
  public int read() throws IOException {
    byte[] b = new byte[1];
    int n = read(b, 0, 1);
    return n < 0 ? -1 : b[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (left == 0) {
      if (in.read() >= 0) {
        throw new IOException("the body is longer than the " + size + " bytes announced");
      }
      return -1;
    }
    int n = in.read(b, off, (int) Math.min(len, left));
    if (n < 0) {
      throw new EOFException(
          "the body ended after " + (size - left) + " of the " + size + " bytes announced");
    }
    left -= n;
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    throw new IOException("skip is not supported");
  }
}
