package dev.progcache.protocol;

import dev.progcache.cache.Key;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Writes answers to go, one JSON object per line.
 *
 * <p>Thread-safe: one lock serialises whole lines. A line is flushed at once unless the writing
 * thread is the one that {@link #holdFlushesOn(Thread) holds flushes}: the reader thread answers
 * what it can synchronously, and its lines go out together on the next {@link #flush()}, which the
 * reader calls before it waits for more input. Lines from any other thread flush everything written
 * so far. Once the stream fails (go went away), later writes are dropped and {@link #failed()} says
 * so.
 */
public final class ResponseWriter {
  /** The first line a helper writes: what it can do. */
  public static final byte[] HANDSHAKE =
      "{\"ID\":0,\"KnownCommands\":[\"get\",\"put\",\"close\"]}\n"
          .getBytes(StandardCharsets.US_ASCII);

  private static final DateTimeFormatter RFC3339_NANOS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'").withZone(ZoneOffset.UTC);

  private final OutputStream out;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile boolean failed;
  private volatile @Nullable Thread holder;
  private boolean pending;

  public ResponseWriter(OutputStream out) {
    this.out = out;
  }

  public void miss(long id) {
    line("{\"ID\":" + id + ",\"Miss\":true}\n");
  }

  public void hit(long id, Key outputId, long size, long timeNanos, String diskPath) {
    StringBuilder b = new StringBuilder(200);
    b.append("{\"ID\":")
        .append(id)
        .append(",\"OutputID\":\"")
        .append(outputId.base64())
        .append('"');
    if (size != 0) {
      b.append(",\"Size\":").append(size);
    }
    b.append(",\"Time\":\"").append(formatTime(timeNanos)).append("\",\"DiskPath\":");
    quote(b, diskPath);
    line(b.append("}\n").toString());
  }

  public void stored(long id, String diskPath) {
    StringBuilder b = new StringBuilder(120).append("{\"ID\":").append(id).append(",\"DiskPath\":");
    quote(b, diskPath);
    line(b.append("}\n").toString());
  }

  public void ok(long id) {
    line("{\"ID\":" + id + "}\n");
  }

  public void err(long id, String message) {
    StringBuilder b = new StringBuilder(80).append("{\"ID\":").append(id).append(",\"Err\":");
    quote(b, message.isEmpty() ? "error" : message);
    line(b.append("}\n").toString());
  }

  /**
   * Lines written by {@code t} are buffered until {@link #flush()} (or a line from another thread);
   * {@code t} must call {@link #flush()} before it blocks.
   */
  public void holdFlushesOn(@Nullable Thread t) {
    holder = t;
  }

  /** Sends every buffered line. Cheap when nothing is buffered. */
  public void flush() {
    send(null, true);
  }

  /** Flushes and closes the stream; later answers are dropped. */
  public void close() {
    lock.lock();
    try {
      failed = true;
      out.close();
    } catch (IOException e) {
      // go has gone: nothing to tell it
    } finally {
      lock.unlock();
    }
  }

  /** True once writing failed or the writer was closed. */
  public boolean failed() {
    return failed;
  }

  /** RFC 3339 UTC with all nine fraction digits, which Go's time.Time parses exactly. */
  public static String formatTime(long unixNanos) {
    long secs = Math.floorDiv(unixNanos, 1_000_000_000L);
    int nanos = (int) Math.floorMod(unixNanos, 1_000_000_000L);
    LocalDateTime t = LocalDateTime.ofEpochSecond(secs, nanos, ZoneOffset.UTC);
    if (t.getYear() < 0 || t.getYear() > 9999) {
      return RFC3339_NANOS.format(t.toInstant(ZoneOffset.UTC));
    }
    StringBuilder b = new StringBuilder(30);
    digits(b, t.getYear(), 4).append('-');
    digits(b, t.getMonthValue(), 2).append('-');
    digits(b, t.getDayOfMonth(), 2).append('T');
    digits(b, t.getHour(), 2).append(':');
    digits(b, t.getMinute(), 2).append(':');
    digits(b, t.getSecond(), 2).append('.');
    return digits(b, nanos, 9).append('Z').toString();
  }

  private static StringBuilder digits(StringBuilder b, int v, int width) {
    String s = Integer.toString(v);
    return b.repeat('0', width - s.length()).append(s);
  }

  private void line(String s) {
    send(s.getBytes(StandardCharsets.UTF_8), Thread.currentThread() != holder);
  }

  /** Writes {@code bytes} (if any), then flushes what is buffered when {@code flush} is true. */
  private void send(byte @Nullable [] bytes, boolean flush) {
    lock.lock();
    try {
      if (failed) {
        return;
      }
      if (bytes != null) {
        out.write(bytes);
        pending = true;
      }
      if (flush && pending) {
        pending = false;
        out.flush();
      }
    } catch (IOException e) {
      failed = true;
    } finally {
      lock.unlock();
    }
  }

  /** Appends {@code s} as a JSON string; escapes what JSON requires and HTML-significant bytes. */
  static void quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
