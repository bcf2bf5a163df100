package dev.progcache.cache;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * Timestamps for the log lines of long-running processes (the server, the daemon): each line starts
 * with the UTC time to the millisecond, {@code 2026-01-02T03:04:05.678Z}, then a space. The
 * helper's own messages are not stamped: they land in go's build output, which has none.
 *
 * <p>Stateless; the streams from {@link #stamped} are as thread-safe as {@link PrintStream}.
 */
public final class LogStamp {
  private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_INSTANT;

  private LogStamp() {}

  /** {@code message} as a log line: the time of {@code clock}, a space, the message. */
  public static String line(Clock clock, String message) {
    return time(clock.instant()) + " " + message;
  }

  /** The time as a log line starts with it (always with milliseconds, so lines align). */
  public static String time(Instant t) {
    Instant ms = Instant.ofEpochMilli(t.toEpochMilli());
    String s = ISO.format(ms);
    return ms.getNano() == 0 ? s.replace("Z", ".000Z") : s;
  }

  /**
   * A stream writing to {@code out} that starts every line with the time of {@code clock}, taken
   * when the line's first byte is written. Autoflush on newline, UTF-8.
   */
  public static PrintStream stamped(PrintStream out, Clock clock) {
    return new PrintStream(new Stamping(out, clock), true, StandardCharsets.UTF_8);
  }

  private static final class Stamping extends OutputStream {
    private final PrintStream out;
    private final Clock clock;
    private boolean lineStart = true;

    Stamping(PrintStream out, Clock clock) {
      this.out = out;
      this.clock = clock;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      int start = off;
      int end = off + len;
      for (int i = off; i < end; i++) {
        if (lineStart) {
          byte[] stamp = (time(clock.instant()) + " ").getBytes(StandardCharsets.US_ASCII);
          out.write(stamp, 0, stamp.length);
          lineStart = false;
        }
        if (b[i] == '\n') {
          out.write(b, start, i + 1 - start);
          start = i + 1;
          lineStart = true;
        }
      }
      if (start < end) {
        out.write(b, start, end - start);
      }
    }

    @Override
    public void flush() {
      out.flush();
    }
  }
}
