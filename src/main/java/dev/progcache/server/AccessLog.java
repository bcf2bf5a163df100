package dev.progcache.server;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;

/**
 * One line per request on stderr: time, client address, principal name, method, path, status,
 * bytes, milliseconds. No header is logged (so no token); paths are cut to 200 characters with
 * control characters escaped. Lines are buffered and flushed every second and at stop.
 *
 * <p>Thread-safe.
 */
final class AccessLog implements RequestLog, AutoCloseable {
  static final String PRINCIPAL = "progcache.principal";
  private final OutputStream out;
  private final ReentrantLock lock = new ReentrantLock();
  private final StringBuilder buf = new StringBuilder(1 << 16);
  private final Thread flusher;
  private volatile boolean closed;

  AccessLog(PrintStream err) {
    this.out = err;
    this.flusher = Thread.ofPlatform().daemon().name("progcache-access-log").start(this::flushLoop);
  }

  @Override
  public void log(Request req, Response resp) {
    long ms = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - req.getBeginNanoTime());
    Object who = req.getAttribute(PRINCIPAL);
    String line =
        Instant.now()
            + " "
            + Request.getRemoteAddr(req)
            + " "
            + (who == null ? "-" : who)
            + " "
            + req.getMethod()
            + " "
            + clean(req.getHttpURI().getPathQuery())
            + " "
            + resp.getStatus()
            + " "
            + Response.getContentBytesWritten(resp)
            + " "
            + (ms / 1000)
            + "."
            + String.format("%03d", ms % 1000)
            + "ms\n";
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
      b.append(c < 0x20 || c == 0x7f || c == ' ' ? '?' : c);
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
