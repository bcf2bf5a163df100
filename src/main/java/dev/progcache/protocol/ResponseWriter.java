package dev.progcache.protocol;

import dev.progcache.cache.Key;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
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

  /**
   * For years outside 0-9999 only: building a formatter costs the start a few milliseconds, and the
   * handshake, written first, loads this class.
   */
  private static final class Rare {
    static final DateTimeFormatter RFC3339_NANOS =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'").withZone(ZoneOffset.UTC);
  }

  private final OutputStream out;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile boolean failed;
  private volatile @Nullable Thread holder;
  private boolean pending;

  public ResponseWriter(OutputStream out) {
    this.out = out;
  }

  public void miss(long id) {
    send(new Line().raw(ID).decimal(id).raw(MISS), Thread.currentThread() != holder);
  }

  public void hit(long id, Key outputId, long size, long timeNanos, String diskPath) {
    Line l = new Line().raw(ID).decimal(id).raw(OUTPUT_ID).base64(outputId);
    if (size != 0) {
      l.raw(SIZE).decimal(size).raw(TIME);
    } else {
      l.raw(TIME_AFTER_ID);
    }
    l.time(timeNanos).raw(DISK_PATH).string(diskPath);
    send(l.raw(END), Thread.currentThread() != holder);
  }

  public void stored(long id, String diskPath) {
    Line l = new Line().raw(ID).decimal(id).raw(STORED_PATH).string(diskPath);
    send(l.raw(END), Thread.currentThread() != holder);
  }

  public void ok(long id) {
    send(new Line().raw(ID).decimal(id).raw(END), Thread.currentThread() != holder);
  }

  public void err(long id, String message) {
    Line l = new Line().raw(ID).decimal(id).raw(ERR).string(message.isEmpty() ? "error" : message);
    send(l.raw(END), Thread.currentThread() != holder);
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
    Line l = new Line().time(unixNanos);
    return new String(l.b, 0, l.n, StandardCharsets.US_ASCII);
  }

  /** Writes {@code line} (if any), then flushes what is buffered when {@code flush} is true. */
  private void send(@Nullable Line line, boolean flush) {
    lock.lock();
    try {
      if (failed) {
        return;
      }
      if (line != null) {
        out.write(line.b, 0, line.n);
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

  private static final byte[] ID = ascii("{\"ID\":");
  private static final byte[] MISS = ascii(",\"Miss\":true}\n");
  private static final byte[] OUTPUT_ID = ascii(",\"OutputID\":\"");
  private static final byte[] SIZE = ascii("\",\"Size\":");
  private static final byte[] TIME_AFTER_ID = ascii("\",\"Time\":\"");
  private static final byte[] TIME = ascii(",\"Time\":\"");
  private static final byte[] DISK_PATH = ascii("\",\"DiskPath\":");
  private static final byte[] STORED_PATH = ascii(",\"DiskPath\":");
  private static final byte[] ERR = ascii(",\"Err\":");
  private static final byte[] END = ascii("}\n");
  private static final byte[] HEX = ascii("0123456789abcdef");

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * One answer line, built as bytes: answers are a few fixed pieces around numbers, an id in base64
   * and a path. Every get of a warm build writes one, much of it in the interpreter while the JVM
   * is young, so nothing here goes through a {@code StringBuilder}, a formatter or {@code charAt}.
   */
  static final class Line {
    byte[] b = new byte[192];
    int n;

    private void room(int more) {
      if (n + more > b.length) {
        b = Arrays.copyOf(b, Math.max(b.length * 2, n + more));
      }
    }

    Line raw(byte[] piece) {
      room(piece.length);
      System.arraycopy(piece, 0, b, n, piece.length);
      n += piece.length;
      return this;
    }

    private void put(int c) {
      room(1);
      b[n++] = (byte) c;
    }

    Line decimal(long v) {
      if (v < 0) {
        if (v == Long.MIN_VALUE) {
          return raw(ascii(Long.toString(v)));
        }
        put('-');
        v = -v;
      }
      room(19);
      int from = n;
      do {
        b[n++] = (byte) ('0' + (int) (v % 10));
        v /= 10;
      } while (v != 0);
      for (int i = from, j = n - 1; i < j; i++, j--) {
        byte t = b[i];
        b[i] = b[j];
        b[j] = t;
      }
      return this;
    }

    /** {@code v} in exactly {@code width} digits ({@code 0 <= v < 10^width}). */
    private void digits(long v, int width) {
      room(width);
      for (int i = n + width - 1; i >= n; i--) {
        b[i] = (byte) ('0' + (int) (v % 10));
        v /= 10;
      }
      n += width;
    }

    /** Standard base64 with padding, as Go's encoding/json writes a {@code []byte}. */
    Line base64(Key k) {
      return raw(java.util.Base64.getEncoder().encode(k.bytes()));
    }

    /**
     * RFC 3339 UTC with nine fraction digits. Years 0-9999 by the civil calendar's arithmetic (days
     * to year, month, day without tables); others, which no file time has, by the formatter.
     */
    Line time(long unixNanos) {
      long secs = Math.floorDiv(unixNanos, 1_000_000_000L);
      long nanos = Math.floorMod(unixNanos, 1_000_000_000L);
      long days = Math.floorDiv(secs, 86_400L);
      long daySecs = Math.floorMod(secs, 86_400L);
      long z = days + 719_468; // days since 0000-03-01
      long era = Math.floorDiv(z, 146_097);
      long doe = z - era * 146_097; // [0, 146096]
      long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
      long doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365], from March 1st
      long mp = (5 * doy + 2) / 153; // [0, 11], March = 0
      long day = doy - (153 * mp + 2) / 5 + 1;
      long month = mp < 10 ? mp + 3 : mp - 9;
      long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
      if (year < 0 || year > 9999) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(secs, (int) nanos, ZoneOffset.UTC);
        return raw(ascii(Rare.RFC3339_NANOS.format(t.toInstant(ZoneOffset.UTC))));
      }
      digits(year, 4);
      put('-');
      digits(month, 2);
      put('-');
      digits(day, 2);
      put('T');
      digits(daySecs / 3600, 2);
      put(':');
      digits(daySecs / 60 % 60, 2);
      put(':');
      digits(daySecs % 60, 2);
      put('.');
      digits(nanos, 9);
      put('Z');
      return this;
    }

    /**
     * {@code s} as a JSON string, escaped as Go's encoding/json escapes: the quote, the backslash,
     * control characters, the HTML-significant {@code < > &} and U+2028/U+2029. Other non-ASCII
     * characters go out as UTF-8 (an unpaired surrogate as {@code ?}).
     */
    Line string(String s) {
      byte[] u = s.getBytes(StandardCharsets.UTF_8);
      room(u.length + 2);
      b[n++] = '"';
      int plain = 0; // the bytes before the first that may need escaping go out at once
      while (plain < u.length) {
        byte c = u[plain];
        if (c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&') {
          break; // a control character, non-ASCII (negative) or one Go escapes
        }
        plain++;
      }
      System.arraycopy(u, 0, b, n, plain);
      n += plain;
      for (int i = plain; i < u.length; i++) {
        int c = u[i] & 0xff;
        if (c >= 0x80) {
          if (c == 0xe2
              && i + 2 < u.length
              && u[i + 1] == (byte) 0x80
              && (u[i + 2] == (byte) 0xa8 || u[i + 2] == (byte) 0xa9)) {
            raw(u[i + 2] == (byte) 0xa8 ? LS : PS);
            i += 2;
          } else {
            put(c);
          }
        } else if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
          put(c);
        } else if (c == '"' || c == '\\') {
          put('\\');
          put(c);
        } else if (c == '\n') {
          put('\\');
          put('n');
        } else if (c == '\r') {
          put('\\');
          put('r');
        } else if (c == '\t') {
          put('\\');
          put('t');
        } else {
          raw(U00);
          put(HEX[c >> 4]);
          put(HEX[c & 0xf]);
        }
      }
      put('"');
      return this;
    }

    private static final byte[] LS = ascii("\\u2028");
    private static final byte[] PS = ascii("\\u2029");
    private static final byte[] U00 = ascii("\\u00");
  }
}
