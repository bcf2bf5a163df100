package dev.progcache.daemon;

import dev.progcache.cache.LogStamp;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The daemon's log file: every line starts with a UTC timestamp ({@link LogStamp}, as the
 * server's); when the file passes {@code maxBytes} it is renamed to {@link #rotated} (replacing the
 * previous one) and a new file is started, so the two together stay under about twice that size.
 *
 * <p>Thread-safe: lines from different threads never interleave. Never throws: a log that cannot be
 * written loses lines, not sessions.
 */
public final class DaemonLog extends OutputStream {
  /** Default size at which the log is rotated. */
  public static final long DEFAULT_MAX_BYTES = 1 << 20;

  private final Path file;
  private final long maxBytes;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
  private FileChannel out;

  private DaemonLog(Path file, long maxBytes, Clock clock) throws IOException {
    this.file = file;
    this.maxBytes = maxBytes;
    this.clock = clock;
    this.out = open(file);
  }

  /** A print stream on the log at {@code file}, rotated at {@code maxBytes}. */
  public static PrintStream open(Path file, long maxBytes, Clock clock) throws IOException {
    return new PrintStream(new DaemonLog(file, maxBytes, clock), true, StandardCharsets.UTF_8);
  }

  private static FileChannel open(Path f) throws IOException {
    return FileChannel.open(
        f,
        StandardOpenOption.CREATE,
        StandardOpenOption.WRITE,
        StandardOpenOption.APPEND,
        LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    lock.lock();
    try {
      for (int i = off; i < off + len; i++) {
        line.write(b[i]);
        if (b[i] == '\n') {
          emit();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private void emit() {
    String stamp = LogStamp.time(clock.instant()) + " ";
    byte[] prefix = stamp.getBytes(StandardCharsets.US_ASCII);
    byte[] body = line.toByteArray();
    line.reset();
    try {
      if (out.size() + prefix.length + body.length > maxBytes && out.size() > 0) {
        rotate();
      }
      ByteBuffer buf = ByteBuffer.allocate(prefix.length + body.length).put(prefix).put(body);
      buf.flip();
      while (buf.hasRemaining()) {
        out.write(buf);
      }
    } catch (IOException e) {
      // a full or vanished disk loses log lines, never a session
    }
  }

  private void rotate() throws IOException {
    out.close();
    Files.move(file, rotated(file), StandardCopyOption.REPLACE_EXISTING);
    out = open(file);
  }

  /** Where the log at {@code file} keeps its previous part: {@code <name>.1}. */
  static Path rotated(Path file) {
    return file.resolveSibling(file.getFileName() + ".1");
  }

  @Override
  public void flush() {
    // every complete line is written at once
  }

  @Override
  public void close() throws IOException {
    lock.lock();
    try {
      if (line.size() > 0) {
        line.write('\n');
        emit();
      }
      out.close();
    } finally {
      lock.unlock();
    }
  }
}
