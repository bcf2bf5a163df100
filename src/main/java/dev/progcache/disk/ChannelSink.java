package dev.progcache.disk;

import dev.progcache.cache.Buffers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * An output stream over a file channel through one pooled direct buffer: each byte is copied once
 * on its way to the kernel (a heap buffer in front of a channel copies twice). Closing flushes and
 * returns the buffer to the pool; the channel stays open, for its owner to close.
 *
 * <p>Not thread-safe.
 */
final class ChannelSink extends OutputStream {
  private final FileChannel ch;
  private ByteBuffer buf = Buffers.direct();
  private boolean closed;

  ChannelSink(FileChannel ch) {
    this.ch = ch;
  }

  @Override
  public void write(int b) throws IOException {
    if (!buf.hasRemaining()) {
      drain();
    }
    buf.put((byte) b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    while (len > 0) {
      if (!buf.hasRemaining()) {
        drain();
      }
      int n = Math.min(len, buf.remaining());
      buf.put(b, off, n);
      off += n;
      len -= n;
    }
  }

  @Override
  public void flush() throws IOException {
    drain();
  }

  private void drain() throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    buf.flip();
    while (buf.hasRemaining()) {
      ch.write(buf);
    }
    buf.clear();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      drain();
    } finally {
      closed = true;
      Buffers.give(buf);
      buf = ByteBuffer.allocate(0);
    }
  }
}
