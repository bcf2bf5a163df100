package dev.progcache.client;

import dev.progcache.cache.Key;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.util.Base64;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.json.JsonFactory;

/**
 * Writes requests to the helper's stdin, one whole request (and its body line) at a time.
 *
 * <p>Thread-safe: a lock serialises requests. A failure of the stream is thrown as is; the caller
 * must treat the session as broken, since part of a request may have been written.
 */
final class RequestEncoder {
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
          .disable(StreamWriteFeature.FLUSH_PASSED_TO_STREAM)
          .build();
  private static final int CHUNK = 48 * 1024;

  private final OutputStream out;
  private final ReentrantLock lock = new ReentrantLock();

  /**
   * @param out the helper's stdin, buffered
   */
  RequestEncoder(OutputStream out) {
    this.out = out;
  }

  /** A request: command, ids, and for a put the body channel positioned at 0. */
  record Request(
      String command,
      @Nullable Key actionId,
      @Nullable Key outputId,
      long bodySize,
      @Nullable SeekableByteChannel body) {
    static Request of(String command) {
      return new Request(command, null, null, 0, null);
    }
  }

  /** Thrown when the put body channel could not supply its bytes; the stream is still intact. */
  static final class BodyException extends IOException {
    BodyException(String message, @Nullable Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Writes {@code r} with ID {@code id} and flushes.
   *
   * @throws BodyException when the body was shorter than {@code bodySize} or could not be read; the
   *     body line was still terminated, so the stream stays valid
   * @throws IOException when writing to the helper failed
   */
  void write(long id, Request r) throws IOException {
    lock.lock();
    try {
      try (JsonGenerator g = FACTORY.createGenerator(ObjectWriteContext.empty(), out)) {
        g.writeStartObject();
        g.writeNumberProperty("ID", id);
        g.writeStringProperty("Command", r.command());
        if (r.actionId() != null) {
          g.writeStringProperty("ActionID", r.actionId().base64());
        }
        if (r.outputId() != null) {
          g.writeStringProperty("ObjectID", r.outputId().base64());
          g.writeStringProperty("OutputID", r.outputId().base64());
        }
        if (r.bodySize() > 0) {
          g.writeNumberProperty("BodySize", r.bodySize());
        }
        g.writeEndObject();
      }
      out.write('\n');
      BodyException bodyFailure = null;
      if (r.body() != null && r.bodySize() > 0) {
        bodyFailure = writeBody(r);
      }
      out.flush();
      if (bodyFailure != null) {
        throw bodyFailure;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Streams the body as one base64 JSON string line; returns a failure of the body channel. */
  private @Nullable BodyException writeBody(Request r) throws IOException {
    out.write('"');
    OutputStream b64 = Base64.getEncoder().wrap(new KeepOpen(out));
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, r.bodySize()));
    long left = r.bodySize();
    BodyException failure = null;
    while (left > 0 && failure == null) {
      buf.clear().limit((int) Math.min(buf.capacity(), left));
      int n;
      try {
        n = r.body().read(buf);
      } catch (IOException e) {
        failure = new BodyException("cannot read the put body: " + e.getMessage(), e);
        break;
      }
      if (n < 0) {
        long wrote = r.bodySize() - left;
        failure =
            new BodyException(
                "short write writing body to GOCACHEPROG for action "
                    + r.actionId()
                    + ", output "
                    + r.outputId()
                    + ": wrote "
                    + wrote
                    + "; expected "
                    + r.bodySize(),
                null);
        break;
      }
      b64.write(buf.array(), 0, n);
      left -= n;
    }
    b64.close();
    out.write('"');
    out.write('\n');
    return failure;
  }

  /** Closes the helper's stdin (it sees end of input). */
  void close() {
    lock.lock();
    try {
      out.close();
    } catch (IOException e) {
      // the helper is gone already
    } finally {
      lock.unlock();
    }
  }

  /** Lets the base64 encoder finish its padding without closing the stream under it. */
  private static final class KeepOpen extends FilterOutputStream {
    KeepOpen(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() {}
  }
}
