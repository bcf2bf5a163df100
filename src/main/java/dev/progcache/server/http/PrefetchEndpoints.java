package dev.progcache.server.http;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.server.metrics.RequestCounter;
import dev.progcache.server.metrics.ServerMetrics;
import dev.progcache.server.store.Manifests;
import dev.progcache.server.store.Namespaces;
import dev.progcache.server.store.ServerStore;
import dev.progcache.wire.BatchFrames;
import dev.progcache.wire.Manifest;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * The prefetch requests (wire forms in {@link BatchFrames}), after {@link CacheHandler} checked the
 * token:
 *
 * <ul>
 *   <li>{@code POST /batch} with up to {@value BatchFrames#MAX_BATCH} action ids: 200 with a frame
 *       per hit, looked up along the same namespace chain as {@code GET /action}; the whole stream
 *       lz4-framed when the client accepts lz4.
 *   <li>{@code GET /manifest/<context hex>}: the first manifest along the read chain, or 404; the
 *       ids go asked for first, saying how many and whether it is settled in headers ({@link
 *       BatchFrames}).
 *   <li>{@code POST /manifest/<context hex>} with up to {@value BatchFrames#MAX_MANIFEST} ids and
 *       the same headers: 204 once merged into the manifest of the write namespace; 413 when over
 *       the cap.
 * </ul>
 *
 * <p>Thread-safe; blocking.
 */
final class PrefetchEndpoints {
  private final Namespaces namespaces;
  private final Manifests manifests;
  private final ServerMetrics metrics;

  PrefetchEndpoints(Namespaces namespaces, Manifests manifests, ServerMetrics metrics) {
    this.namespaces = namespaces;
    this.manifests = manifests;
    this.metrics = metrics;
  }

  boolean batch(Request req, Response resp, Callback cb, List<String> chain, boolean lz4)
      throws IOException {
    Optional<List<Key>> ids = body(req, resp, cb, BatchFrames.MAX_BATCH);
    if (ids.isEmpty()) {
      return true;
    }
    resp.setStatus(200);
    resp.getHeaders().put(HttpHeader.CONTENT_TYPE, BatchFrames.CONTENT_TYPE);
    if (lz4) {
      resp.getHeaders().put(HttpHeader.CONTENT_ENCODING, "lz4");
    }
    try (FrameOut out = lz4 ? new Lz4Out(resp) : new DirectOut(req, resp)) {
      for (Key k : ids.get()) {
        frame(out, chain, k);
      }
      out.end();
    } catch (IOException e) {
      cb.failed(e);
      return true;
    }
    cb.succeeded();
    return true;
  }

  /** Writes the frame of {@code action}, or nothing for a miss (or a body gone meanwhile). */
  private void frame(FrameOut out, List<String> chain, Key action) throws IOException {
    Optional<Hit> h = Optional.empty();
    ServerStore served = namespaces.main();
    for (int i = 0; i < chain.size() && h.isEmpty(); i++) {
      Optional<ServerStore> s = namespaces.find(chain.get(i)); // a read creates no namespace
      if (s.isPresent()) {
        served = s.get();
        h = served.action(action);
      }
    }
    if (h.isEmpty()) {
      metrics.count(RequestCounter.BATCH_MISS);
      return;
    }
    Hit hit = h.get();
    long size = hit.entry().size();
    FileChannel body;
    try {
      body = FileChannel.open(hit.diskPath());
    } catch (NoSuchFileException e) {
      metrics.count(RequestCounter.BATCH_MISS); // evicted since the lookup
      return;
    }
    try (body) {
      if (body.size() != size
          || out.frame(BatchFrames.header(action, hit.entry().outputId(), size), body, size)
              != size) {
        throw new IOException("stored body changed size: " + hit.diskPath());
      }
    }
    metrics.count(RequestCounter.BATCH_HIT);
    served.counted(true); // a batch miss is not counted: go's own get for that id will be
    metrics.bytesOut.increment(size);
  }

  /** Where a batch response's frames go. */
  private interface FrameOut extends AutoCloseable {
    /**
     * Writes a frame: {@code header}, then {@code size} bytes of {@code body} from its start.
     * Returns the body bytes written, which differ from {@code size} only if the file changed.
     */
    long frame(byte[] header, FileChannel body, long size) throws IOException;

    /** Writes the end marker and ends the response body. */
    void end() throws IOException;

    @Override
    void close() throws IOException;
  }

  /** The lz4-framed stream, through the response's output stream. */
  private static final class Lz4Out implements FrameOut {
    private final OutputStream out;

    Lz4Out(Response resp) throws IOException {
      this.out = new BufferedOutputStream(Lz4.frame(Content.Sink.asOutputStream(resp)), 1 << 16);
    }

    @Override
    public long frame(byte[] header, FileChannel body, long size) throws IOException {
      out.write(header);
      return Channels.newInputStream(body).transferTo(out);
    }

    @Override
    public void end() throws IOException {
      BatchFrames.writeEnd(out);
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  /**
   * The plain stream, through one pooled direct buffer: file bytes are read from the page cache
   * into it and written from it to the socket, never copied in Java. (Through the response's output
   * stream every byte was copied four times on its way; the server spent ~0.22 CPU-s on a fresh
   * runner's 181 MB.)
   */
  private static final class DirectOut implements FrameOut {
    private final Response resp;
    private final RetainableByteBuffer pooled;
    private final ByteBuffer buf;

    DirectOut(Request req, Response resp) {
      this.resp = resp;
      this.pooled = req.getComponents().getByteBufferPool().acquire(1 << 16, true);
      this.buf = pooled.getByteBuffer();
      buf.clear(); // fill mode
    }

    @Override
    public long frame(byte[] header, FileChannel body, long size) throws IOException {
      put(header);
      long left = size;
      while (left > 0) {
        if (!buf.hasRemaining()) {
          flush(false);
        }
        int limit = buf.limit();
        if (buf.remaining() > left) {
          buf.limit(buf.position() + (int) left);
        }
        int n;
        try {
          n = body.read(buf);
        } finally {
          buf.limit(limit);
        }
        if (n < 0) {
          break; // shorter than its record says
        }
        left -= n;
      }
      return size - left;
    }

    @Override
    public void end() throws IOException {
      put(BatchFrames.end());
      flush(true);
    }

    private void put(byte[] b) throws IOException {
      if (buf.remaining() < b.length) {
        flush(false);
      }
      buf.put(b);
    }

    private void flush(boolean last) throws IOException {
      buf.flip();
      try (Blocker.Callback done = Blocker.callback()) {
        resp.write(last, buf, done);
        done.block();
      }
      buf.clear();
    }

    @Override
    public void close() {
      pooled.release(); // after end() or a failed write: Jetty holds no reference to it then
    }
  }

  boolean manifest(Response resp, Callback cb, List<String> chain, Key context) throws IOException {
    for (String ns : chain) {
      Optional<Manifest> m = manifests.read(ns, context);
      if (m.isPresent()) {
        metrics.count(RequestCounter.MANIFEST_HIT);
        byte[] b = BatchFrames.ids(m.get().ids());
        resp.setStatus(200);
        resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=us-ascii");
        resp.getHeaders().put(BatchFrames.ASKED, m.get().asked());
        if (m.get().settled()) {
          resp.getHeaders().put(BatchFrames.SETTLED, "1");
        }
        resp.getHeaders().put(HttpHeader.CONTENT_LENGTH, b.length);
        resp.write(true, java.nio.ByteBuffer.wrap(b), cb);
        return true;
      }
    }
    metrics.count(RequestCounter.MANIFEST_MISS);
    return Answers.text(resp, cb, 404, "");
  }

  boolean merge(Request req, Response resp, Callback cb, String ns, Key context)
      throws IOException {
    Optional<List<Key>> ids = body(req, resp, cb, BatchFrames.MAX_MANIFEST);
    if (ids.isEmpty()) {
      return true;
    }
    HttpFields h = req.getHeaders();
    Manifest report =
        BatchFrames.report(ids.get(), h.get(BatchFrames.ASKED), h.get(BatchFrames.SETTLED));
    try {
      manifests.merge(ns, context, report, namespaces.get(ns).manifestRoom());
    } catch (Namespaces.LimitReached | Manifests.Full e) {
      metrics.count(RequestCounter.MANIFEST_BAD);
      return Answers.text(resp, cb, 507, e.getMessage() + "\n");
    }
    metrics.count(RequestCounter.MANIFEST_MERGE);
    resp.setStatus(204);
    resp.write(true, null, cb);
    return true;
  }

  /** The id list in the request body, or empty after answering 411/413 itself. */
  private Optional<List<Key>> body(Request req, Response resp, Callback cb, int max)
      throws IOException {
    long len = req.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
    if (len < 0) {
      Answers.text(resp, cb, 411, "needs an exact Content-Length\n");
      return Optional.empty();
    }
    Optional<List<Key>> ids =
        len > (long) max * (BatchFrames.LINE + 1)
            ? Optional.empty()
            : BatchFrames.parseIds(Content.Source.asInputStream(req), max);
    if (ids.isEmpty()) {
      metrics.count(RequestCounter.MANIFEST_BAD);
      Answers.text(resp, cb, 413, "at most " + max + " ids, one per line\n");
    }
    return ids;
  }
}
