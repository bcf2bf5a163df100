package dev.progcache.daemon;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * go's own pipes to a relay, opened by the daemon so that a session's requests and answers skip the
 * relay: go writes a request into the pipe the daemon reads, and the daemon's answer goes straight
 * into the pipe go reads (two context switches and two copies fewer per request than relaying them
 * over the socket; ADR 0025).
 *
 * <p>The relay's descriptors 0 and 1 are reopened through {@code /proc/<pid>/fd/}, as the daemon
 * already reaches go's stderr; the relay's peer credentials were checked to be this user's. They
 * are opened non-blocking (opening a pipe whose other end is gone would otherwise wait forever),
 * then switched to blocking reads and writes on the session's platform thread. Plain POSIX calls
 * through the foreign-function API, none of them critical: a read may block for as long as go
 * thinks.
 */
final class GoPipes implements Closeable {
  private static final int O_RDONLY = 0;
  private static final int O_WRONLY = 1;
  private static final int O_NONBLOCK = 0x800;
  private static final int O_CLOEXEC = 0x80000;
  private static final int F_SETFL = 4;
  private static final int EINTR = 4;
  private static final int BUFFER = 1 << 16;

  private final Posix posix;
  private final int in;
  private final int out;
  private final Arena arena = Arena.ofShared();
  private final InputStream input;
  private final OutputStream output;
  private boolean closed;

  private GoPipes(Posix posix, int in, int out) {
    this.posix = posix;
    this.in = in;
    this.out = out;
    this.input = new PipeIn();
    this.output = new PipeOut();
  }

  /**
   * Opens the stdin and stdout of process {@code pid} (a relay of this user), or empty when this
   * platform has no such path or either cannot be opened (the relay then copies as before).
   */
  static Optional<GoPipes> open(long pid) {
    Posix p = Posix.get();
    if (p == null || pid <= 0) {
      return Optional.empty();
    }
    int in = p.openBlocking("/proc/" + pid + "/fd/0", O_RDONLY);
    if (in < 0) {
      return Optional.empty();
    }
    int out = p.openBlocking("/proc/" + pid + "/fd/1", O_WRONLY);
    if (out < 0) {
      p.close(in);
      return Optional.empty();
    }
    return Optional.of(new GoPipes(p, in, out));
  }

  /** Links the native calls now, off a session's path (a daemon calls it as it starts). */
  static void prepare() {
    Posix.get();
  }

  InputStream in() {
    return input;
  }

  OutputStream out() {
    return output;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      posix.close(in);
      posix.close(out);
      arena.close();
    }
  }

  private final class PipeIn extends InputStream {
    private final MemorySegment buf = arena.allocate(BUFFER);
    private final MemorySegment errno = arena.allocate(Posix.STATE);

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      long n = posix.read(errno, in, buf, Math.min(len, BUFFER));
      if (n == 0) {
        return -1;
      }
      MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, b, off, (int) n);
      return (int) n;
    }
  }

  private final class PipeOut extends OutputStream {
    private final MemorySegment buf = arena.allocate(BUFFER);
    private final MemorySegment errno = arena.allocate(Posix.STATE);

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        int chunk = Math.min(len, BUFFER);
        MemorySegment.copy(b, off, buf, ValueLayout.JAVA_BYTE, 0, chunk);
        long done = 0;
        while (done < chunk) {
          done += posix.write(errno, out, buf.asSlice(done), chunk - done);
        }
        off += chunk;
        len -= chunk;
      }
    }

    @Override
    public void close() {
      GoPipes.this.close();
    }
  }

  /** open, fcntl, read, write and close of the C library, linked once per daemon. */
  private static final class Posix {
    static final MemoryLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
        STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static volatile @Nullable Posix instance;
    private static volatile boolean failed;

    final MethodHandle open;
    final MethodHandle fcntl;
    final MethodHandle read;
    final MethodHandle write;
    final MethodHandle close;

    @SuppressWarnings("restricted") // the launcher grants native access (--enable-native-access)
    private Posix() {
      Linker l = Linker.nativeLinker();
      var libc = l.defaultLookup();
      Linker.Option errno = Linker.Option.captureCallState("errno");
      open =
          l.downcallHandle(
              libc.find("open").orElseThrow(),
              FunctionDescriptor.of(
                  ValueLayout.JAVA_INT,
                  ValueLayout.ADDRESS,
                  ValueLayout.JAVA_INT,
                  ValueLayout.JAVA_INT),
              Linker.Option.firstVariadicArg(2));
      fcntl =
          l.downcallHandle(
              libc.find("fcntl").orElseThrow(),
              FunctionDescriptor.of(
                  ValueLayout.JAVA_INT,
                  ValueLayout.JAVA_INT,
                  ValueLayout.JAVA_INT,
                  ValueLayout.JAVA_INT),
              Linker.Option.firstVariadicArg(2));
      FunctionDescriptor io =
          FunctionDescriptor.of(
              ValueLayout.JAVA_LONG,
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS,
              ValueLayout.JAVA_LONG);
      read = l.downcallHandle(libc.find("read").orElseThrow(), io, errno);
      write = l.downcallHandle(libc.find("write").orElseThrow(), io, errno);
      close =
          l.downcallHandle(
              libc.find("close").orElseThrow(),
              FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }

    /** The linked calls, or null where they cannot be linked (not Linux, no native access). */
    static @Nullable Posix get() {
      Posix p = instance;
      if (p != null || failed || !System.getProperty("os.name").equals("Linux")) {
        return p;
      }
      synchronized (Posix.class) {
        if (instance == null && !failed) {
          try {
            instance = new Posix();
          } catch (RuntimeException | LinkageError e) {
            failed = true;
          }
        }
        return instance;
      }
    }

    /** Opens {@code path} without waiting for the pipe's other end, then makes it blocking. */
    int openBlocking(String path, int mode) {
      try (Arena a = Arena.ofConfined()) {
        int fd = (int) open.invokeExact(a.allocateFrom(path), mode | O_NONBLOCK | O_CLOEXEC, 0);
        if (fd >= 0 && (int) fcntl.invokeExact(fd, F_SETFL, 0) != 0) {
          close(fd);
          return -1;
        }
        return fd;
      } catch (Throwable t) {
        return -1;
      }
    }

    long read(MemorySegment errno, int fd, MemorySegment buf, long len) throws IOException {
      return io(read, "read from go's pipe", errno, fd, buf, len);
    }

    long write(MemorySegment errno, int fd, MemorySegment buf, long len) throws IOException {
      return io(write, "write to go's pipe", errno, fd, buf, len);
    }

    private static long io(
        MethodHandle h, String what, MemorySegment errno, int fd, MemorySegment buf, long len)
        throws IOException {
      for (; ; ) {
        long n;
        try {
          n = (long) h.invokeExact(errno, fd, buf, len);
        } catch (Throwable t) {
          throw new IOException(what + " failed: " + t.getMessage(), t);
        }
        if (n >= 0) {
          return n;
        }
        int e = (int) ERRNO.get(errno, 0L);
        if (e != EINTR) {
          throw new IOException(what + " failed (errno " + e + ")");
        }
      }
    }

    void close(int fd) {
      try {
        int ignored = (int) close.invokeExact(fd);
      } catch (Throwable t) {
        // nothing more to do with it
      }
    }
  }
}
