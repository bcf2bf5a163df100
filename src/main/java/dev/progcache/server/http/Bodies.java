package dev.progcache.server.http;

import dev.progcache.cache.Hit;
import dev.progcache.server.metrics.ServerMetrics;
import dev.progcache.wire.Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Sends stored bodies: lz4-framed when the client accepts lz4 and the body is big enough to gain,
 * small ones from memory when sent recently ({@link SmallBodies}), large ones on a virtual thread.
 * Thread-safe.
 */
final class Bodies {
  private static final int IN_MEMORY = 1 << 20;

  /** Bodies up to this size are read and sent on the calling (selector) thread. */
  private static final int INLINE_BODY = 64 << 10;

  private final ServerMetrics metrics;
  private final long lz4MinSize;
  private final Offload offload;

  /** Small bodies sent recently, so hot ones skip the disk: 64 MiB at most. */
  private final SmallBodies small = new SmallBodies(64L << 20);

  Bodies(ServerMetrics metrics, long lz4MinSize, Offload offload) {
    this.metrics = metrics;
    this.lz4MinSize = lz4MinSize;
    this.offload = offload;
  }

  /** Sends {@code hit}'s body with its output id; returns true. */
  boolean send(Request req, Response resp, Callback cb, Hit hit) throws Exception {
    if (hit.entry().size() > INLINE_BODY) {
      return offload.run(req, resp, cb, () -> sendHere(req, resp, cb, hit));
    }
    return sendHere(req, resp, cb, hit);
  }

  private boolean sendHere(Request req, Response resp, Callback cb, Hit hit) throws IOException {
    long size = hit.entry().size();
    resp.setStatus(200);
    resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
    resp.getHeaders().put(Headers.OUTPUT_ID, hit.entry().outputId().hex());
    boolean lz4 = size >= lz4MinSize && Lz4.accepted(req);
    if (lz4) {
      resp.getHeaders().put(HttpHeader.CONTENT_ENCODING, Headers.LZ4);
      resp.getHeaders().put(Headers.UNCOMPRESSED_LENGTH, Long.toString(size));
    }
    metrics.bytesOut.increment(size);
    if (size <= IN_MEMORY) {
      byte[] b = small.read(hit.entry().outputId(), size, hit.diskPath());
      if (lz4) {
        ByteArrayOutputStream z = new ByteArrayOutputStream(b.length / 2 + 64);
        try (OutputStream f = Lz4.frame(z)) {
          f.write(b);
        }
        b = z.toByteArray();
      }
      resp.getHeaders().put(HttpHeader.CONTENT_LENGTH, b.length);
      resp.write(true, ByteBuffer.wrap(b), cb);
      return true;
    }
    if (!lz4) {
      resp.getHeaders().put(HttpHeader.CONTENT_LENGTH, size);
    }
    try (InputStream in = Files.newInputStream(hit.diskPath());
        OutputStream raw = Content.Sink.asOutputStream(resp);
        OutputStream out = lz4 ? Lz4.frame(raw) : raw) {
      in.transferTo(out);
    } catch (IOException e) {
      cb.failed(e);
      return true;
    }
    cb.succeeded();
    return true;
  }
}
