package dev.progcache.server.http;

import dev.progcache.server.ServeConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;

/**
 * One line per request on stderr, in the {@linkplain ServeConfig.LogFormat format} chosen: the
 * common log format ({@code host - principal [time] "METHOD path PROTO" status bytes}) or a JSON
 * object per line (time, remote, principal, method, path, status, bytes, ms). Health probes ({@code
 * GET /healthz}) are left out unless asked for. No header is logged (so no token), nor a query
 * string (the sign-in form's is never one); paths are cut to 200 characters with control
 * characters, spaces and quotes replaced by {@code ?}. Lines are buffered and flushed every second
 * and at stop.
 *
 * <p>Thread-safe.
 */
public final class AccessLog implements RequestLog, AutoCloseable {
  public static final String PRINCIPAL = "progcache.principal";
  private static final DateTimeFormatter CLF =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);
  private final OutputStream out;
  private final ServeConfig.LogFormat format;
  private final boolean probes;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final StringBuilder buf = new StringBuilder(1 << 16);
  private final Thread flusher;
  private volatile boolean closed;

  /**
   * @param probes whether {@code GET /healthz} is logged too
   */
  public AccessLog(PrintStream err, ServeConfig.LogFormat format, boolean probes, Clock clock) {
    this.out = err;
    this.format = format;
    this.probes = probes;
    this.clock = clock;
    this.flusher = Thread.ofPlatform().daemon().name("progcache-access-log").start(this::flushLoop);
  }

  @Override
  public void log(Request req, Response resp) {
    String path = clean(req.getHttpURI().getPath());
    if (!probes && path.equals("/healthz")) {
      return;
    }
    long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - req.getBeginNanoTime());
    Object who = req.getAttribute(PRINCIPAL);
    String principal = who == null ? "-" : clean(who.toString());
    Instant now = clock.instant();
    String line =
        switch (format) {
          case COMMON, OFF ->
              Request.getRemoteAddr(req)
                  + " - "
                  + principal
                  + " ["
                  + CLF.format(now)
                  + "] \""
                  + req.getMethod()
                  + " "
                  + path
                  + " "
                  + req.getConnectionMetaData().getProtocol()
                  + "\" "
                  + resp.getStatus()
                  + " "
                  + Response.getContentBytesWritten(resp)
                  + "\n";
          case JSON ->
              "{\"time\":\""
                  + now
                  + "\",\"remote\":\""
                  + Request.getRemoteAddr(req)
                  + "\",\"principal\":\""
                  + principal
                  + "\",\"method\":\""
                  + clean(req.getMethod())
                  + "\",\"path\":\""
                  + path
                  + "\",\"status\":"
                  + resp.getStatus()
                  + ",\"bytes\":"
                  + Response.getContentBytesWritten(resp)
                  + ",\"ms\":"
                  + (micros / 1000)
                  + "."
                  + String.format(Locale.ROOT, "%03d", micros % 1000)
                  + "}\n";
        };
    lock.lock();
    try {
      buf.append(line);
      if (buf.length() > 60_000) {
        flushLocked();
      }
    } finally {
      lock.unlock();
    }
  }

  static String clean(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), 200));
    for (int i = 0; i < s.length() && i < 200; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f || c == ' ' || c == '"' || c == '\\' ? '?' : c);
    }
    if (s.length() > 200) {
      b.append("...");
    }
    return b.toString();
  }

  private void flushLoop() {
    while (!closed) {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
      flush();
    }
  }

  void flush() {
    lock.lock();
    try {
      flushLocked();
    } finally {
      lock.unlock();
    }
  }

  private void flushLocked() {
    if (buf.isEmpty()) {
      return;
    }
    try {
      out.write(buf.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      // stderr gone: nothing to report to
    }
    buf.setLength(0);
  }

  @Override
  public void close() {
    closed = true;
    flusher.interrupt();
    flush();
  }
}
