package dev.progcache.remote.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A buffered stream that only ever calls {@code read(byte[], int, int)} on the stream it wraps.
 *
 * <p>{@link java.io.BufferedInputStream} asks {@code available()} between reads, and the JDK's
 * chunked response stream answers that by reading everything the socket holds into a freshly
 * allocated array, then copying it a second time. For a batch response (all of a fresh directory's
 * bytes) that was most of the helper's allocation. Reads of at least the buffer's size bypass the
 * buffer. Not thread-safe; closing closes the wrapped stream.
 */
final class ReadBuffer extends InputStream {
  private final InputStream in;
  private final byte[] buf;
  private int pos;
  private int end;

  ReadBuffer(InputStream in, int size) {
    this.in = in;
    this.buf = new byte[size];
  }

  @Override
  public int read() throws IOException {
    if (pos == end && !fill()) {
      return -1;
    }
    return buf[pos++] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    if (pos == end) {
      if (len >= buf.length) {
        return in.read(b, off, len);
      }
      if (!fill()) {
        return -1;
      }
    }
    int n = Math.min(len, end - pos);
    System.arraycopy(buf, pos, b, off, n);
    pos += n;
    return n;
  }

  private boolean fill() throws IOException {
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) {
      return false; // a blocking stream returns 0 only for a zero-length read
    }
    pos = 0;
    end = n;
    return true;
  }

  @Override
  public int available() {
    return end - pos;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
