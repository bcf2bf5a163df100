package dev.progcache.prog;

import dev.progcache.cache.BadPutException;
import dev.progcache.cache.BuildCache;
import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.protocol.ProtocolException;
import dev.progcache.protocol.Request;
import dev.progcache.protocol.RequestReader;
import dev.progcache.protocol.ResponseWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One GOCACHEPROG session: reads go's requests on the calling thread and answers each exactly once,
 * in whatever order the cache completes them.
 *
 * <p>The handshake must already have been written (see {@link ResponseWriter#HANDSHAKE}): the
 * caller writes it before building anything slow. Put bodies are streamed into the cache by the
 * reading thread; gets may complete later on other threads. At most {@code maxInFlight} requests
 * are outstanding; the reader waits for a slot beyond that.
 */
public final class ProgServer {
  /** How the session ended. */
  public enum Outcome {
    /** go sent close and it was answered. */
    CLOSED,
    /** go closed stdin without close. */
    EOF,
    /** go sent something that is not the protocol; the message was printed. */
    MALFORMED
  }

  private final RequestReader reader;
  private final ResponseWriter writer;
  private final BuildCache cache;
  private final Stats stats;
  private final PrintStream log;
  private final int maxInFlight;
  private final Semaphore inFlight;

  /** The counters every request adds to, looked up once. */
  private final LongAdder gets;

  private final LongAdder hits;
  private final LongAdder misses;
  private final LongAdder bytesOut;

  /** Puts up to this size are stored before earlier answers are flushed. */
  private static final long SMALL_BODY = 64 << 10;

  /**
   * @param log where problems are reported (go's stderr)
   */
  public ProgServer(
      InputStream in, ResponseWriter writer, BuildCache cache, Stats stats, PrintStream log) {
    this(in, writer, cache, stats, log, 256);
  }

  ProgServer(
      InputStream in,
      ResponseWriter writer,
      BuildCache cache,
      Stats stats,
      PrintStream log,
      int maxInFlight) {
    this.reader = new RequestReader(new FlushBeforeRead(in, writer));
    this.writer = writer;
    this.cache = cache;
    this.stats = stats;
    this.log = log;
    this.maxInFlight = maxInFlight;
    this.inFlight = new Semaphore(maxInFlight);
    this.gets = stats.counter("gets");
    this.hits = stats.counter("hits");
    this.misses = stats.counter("misses");
    this.bytesOut = stats.counter("bytes-out");
  }

  /**
   * Serves until close, end of input, or malformed input, on the calling thread. Does not close the
   * cache.
   */
  public Outcome serve() {
    writer.holdFlushesOn(Thread.currentThread());
    try {
      for (Request r = reader.next(); r != null; r = reader.next()) {
        switch (r.command()) {
          case "get" -> get(r);
          case "put" -> put(r);
          case "close" -> {
            awaitAll();
            writer.ok(r.id());
            return Outcome.CLOSED;
          }
          default -> unknown(r);
        }
      }
      awaitAll();
      return Outcome.EOF;
    } catch (ProtocolException e) {
      log.println("progcache: malformed input from go, " + e.getMessage() + "; stopping");
      stats.add("errors", 1);
      return Outcome.MALFORMED;
    } finally {
      writer.holdFlushesOn(null);
      writer.flush();
    }
  }

  private void get(Request r) {
    gets.increment();
    Key action;
    try {
      action = key(r.actionId(), "ActionID");
    } catch (IllegalArgumentException e) {
      fail(r, e.getMessage());
      return;
    }
    acquire();
    cache
        .get(action)
        .whenComplete(
            (hit, err) -> {
              try {
                answerGet(r, hit, err);
              } finally {
                inFlight.release();
              }
            });
  }

  private void answerGet(Request r, Optional<Hit> hit, Throwable err) {
    if (err != null) {
      fail(r, "get failed: " + err);
    } else if (hit.isEmpty()) {
      misses.increment();
      writer.miss(r.id());
    } else {
      Hit h = hit.get();
      hits.increment();
      bytesOut.add(h.entry().size());
      writer.hit(
          r.id(),
          h.entry().outputId(),
          h.entry().size(),
          h.entry().timeNanos(),
          h.diskPath().toString());
    }
  }

  private void put(Request r) throws ProtocolException {
    stats.add("puts", 1);
    Key action;
    Key output;
    try {
      action = key(r.actionId(), "ActionID");
      output = key(r.output(), "OutputID");
      if (r.outputId() != null && r.objectId() != null && !Key.of(r.objectId()).equals(output)) {
        throw new IllegalArgumentException("OutputID and ObjectID differ");
      }
    } catch (IllegalArgumentException e) {
      skipBody(r);
      fail(r, e.getMessage());
      return;
    }
    BodyLine body = new BodyLine(r);
    String path = null;
    String error = null;
    try {
      if (r.bodySize() > SMALL_BODY) {
        writer.flush(); // a large write may take a while: earlier answers go first
      }
      path = cache.put(action, output, r.bodySize(), body).toString();
    } catch (BadPutException e) {
      error = e.getMessage();
    } catch (IOException e) {
      error = "put failed: " + e.getMessage();
    }
    body.rethrow();
    if (path != null) {
      stats.add("bytes-in", r.bodySize());
      writer.stored(r.id(), path);
    } else {
      fail(r, error);
    }
  }

  /** The body of a put: the base64 line that follows it (or nothing when BodySize is 0). */
  private final class BodyLine implements dev.progcache.cache.BodySource {
    private final Request r;
    private ProtocolException failure;
    private boolean read;

    BodyLine(Request r) {
      this.r = r;
    }

    @Override
    public long writeTo(OutputStream out) throws IOException {
      read = true;
      if (r.bodySize() == 0) {
        return 0;
      }
      try {
        return reader.readBody(r, out);
      } catch (ProtocolException e) {
        failure = e;
        throw new IOException(e.getMessage(), e);
      }
    }

    /** Ensures the body was consumed and rethrows a protocol failure met while reading it. */
    void rethrow() throws ProtocolException {
      if (!read) {
        skipBody(r);
      }
      if (failure != null) {
        throw failure;
      }
    }
  }

  private void unknown(Request r) throws ProtocolException {
    skipBody(r);
    fail(r, "unknown command \"" + r.command() + "\" (this helper knows get, put, close)");
  }

  private void skipBody(Request r) throws ProtocolException {
    if (r.bodySize() > 0) {
      reader.readBody(r, OutputStream.nullOutputStream());
    }
  }

  private void fail(Request r, String message) {
    stats.add("errors", 1);
    String m = r.command() + " (ID " + r.id() + "): " + message;
    log.println("progcache: " + m);
    writer.err(r.id(), m);
  }

  /** go's requests, with the answers written so far flushed whenever the reader would wait. */
  private static final class FlushBeforeRead extends java.io.FilterInputStream {
    private final ResponseWriter writer;

    FlushBeforeRead(InputStream in, ResponseWriter writer) {
      super(in);
      this.writer = writer;
    }

    @Override
    public int read() throws IOException {
      writer.flush();
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      writer.flush();
      return in.read(b, off, len);
    }
  }

  private static Key key(byte[] b, String field) {
    if (b == null) {
      throw new IllegalArgumentException("missing " + field);
    }
    if (b.length != Key.LENGTH) {
      throw new IllegalArgumentException(
          field + " must be " + Key.LENGTH + " bytes, got " + b.length);
    }
    return Key.of(b);
  }

  private void acquire() {
    if (!inFlight.tryAcquire()) {
      writer.flush();
      inFlight.acquireUninterruptibly();
    }
  }

  private void awaitAll() {
    writer.flush();
    try {
      // every request is bounded in time by its tier, so this wait is bounded too
      if (inFlight.tryAcquire(maxInFlight, 10, TimeUnit.MINUTES)) {
        inFlight.release(maxInFlight);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
