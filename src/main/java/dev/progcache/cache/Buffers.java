package dev.progcache.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Copy buffers for bodies, kept for reuse: a fresh-directory build stores thousands of bodies, and
 * a new buffer for each (zeroed, then garbage) cost more CPU than hashing them. At most {@link
 * #KEPT} of each kind are kept; more are allocated when many copies run at once, and dropped.
 *
 * <p>Thread-safe. A buffer taken must be given back at most once, and not used after.
 */
public final class Buffers {
  /** Size of every buffer. */
  public static final int SIZE = 64 * 1024;

  static final int KEPT = 16;

  private static final Pool<byte[]> ARRAYS = new Pool<>();
  private static final Pool<ByteBuffer> DIRECT = new Pool<>();

  private Buffers() {}

  public static byte[] array() {
    byte[] b = ARRAYS.take();
    return b != null ? b : new byte[SIZE];
  }

  public static void give(byte[] b) {
    if (b.length == SIZE) {
      ARRAYS.give(b);
    }
  }

  /** A cleared direct buffer of {@link #SIZE} bytes (writes from it to a channel copy nothing). */
  public static ByteBuffer direct() {
    ByteBuffer b = DIRECT.take();
    return b != null ? b.clear() : ByteBuffer.allocateDirect(SIZE);
  }

  public static void give(ByteBuffer b) {
    if (b.isDirect() && b.capacity() == SIZE) {
      DIRECT.give(b);
    }
  }

  /** Copies {@code in} to its end into {@code out}; returns the byte count. */
  public static long copy(InputStream in, OutputStream out) throws IOException {
    byte[] b = array();
    try {
      long n = 0;
      for (int r; (r = in.read(b, 0, b.length)) >= 0; ) {
        out.write(b, 0, r);
        n += r;
      }
      return n;
    } finally {
      give(b);
    }
  }

  /** A body read from {@code in} to its end. */
  public static BodySource source(InputStream in) {
    return out -> copy(in, out);
  }

  private static final class Pool<T> {
    private final ConcurrentLinkedQueue<T> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();

    T take() {
      T t = free.poll();
      if (t != null) {
        size.decrementAndGet();
      }
      return t;
    }

    void give(T t) {
      if (size.incrementAndGet() <= KEPT) {
        free.add(t);
      } else {
        size.decrementAndGet();
      }
    }
  }
}
