package dev.progcache.server;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.remote.http.BatchFrames;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The prefetch requests (wire forms in {@link BatchFrames}), after {@link CacheHandler} checked
 * the token:
 *
 * <ul>
 *   <li>{@code POST /batch} with up to {@value BatchFrames#MAX_BATCH} action ids: 200 with a frame
 *       per hit, looked up along the same namespace chain as {@code GET /action}; the whole stream
 *       lz4-framed when the client accepts lz4.
 *   <li>{@code GET /manifest/<context hex>}: the first manifest along the read chain, or 404.
 *   <li>{@code POST /manifest/<context hex>} with up to {@value BatchFrames#MAX_MANIFEST} ids: 204
 *       once merged into the manifest of the write namespace; 413 when over the cap.
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
    try (OutputStream raw = Content.Sink.asOutputStream(resp);
        OutputStream z = lz4 ? Lz4.frame(raw) : raw;
        OutputStream out = new BufferedOutputStream(z, 1 << 16)) {
      for (Key k : ids.get()) {
        frame(out, chain, k);
      }
      BatchFrames.writeEnd(out);
    } catch (IOException e) {
      cb.failed(e);
      return true;
    }
    cb.succeeded();
    return true;
  }

  /** Writes the frame of {@code action}, or nothing for a miss (or a body gone meanwhile). */
  private void frame(OutputStream out, List<String> chain, Key action) throws IOException {
    Optional<Hit> h = Optional.empty();
    for (int i = 0; i < chain.size() && h.isEmpty(); i++) {
      h = namespaces.get(chain.get(i)).action(action);
    }
    if (h.isEmpty()) {
      metrics.batchMiss.increment();
      return;
    }
    Hit hit = h.get();
    long size = hit.entry().size();
    InputStream in;
    try {
      in = Files.newInputStream(hit.diskPath());
    } catch (NoSuchFileException e) {
      metrics.batchMiss.increment(); // evicted since the lookup
      return;
    }
    try (in) {
      BatchFrames.writeHeader(out, action, hit.entry().outputId(), size);
      long n = in.transferTo(out);
      if (n != size) {
        throw new IOException("stored body changed size: " + hit.diskPath());
      }
    }
    metrics.batchHit.increment();
    metrics.bytesOut.increment(size);
  }

  boolean manifest(Response resp, Callback cb, List<String> chain, Key context) throws IOException {
    for (String ns : chain) {
      Optional<List<Key>> m = manifests.read(ns, context);
      if (m.isPresent()) {
        metrics.manifestHit.increment();
        byte[] b = BatchFrames.ids(m.get());
        resp.setStatus(200);
        resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=us-ascii");
        resp.getHeaders().put(HttpHeader.CONTENT_LENGTH, b.length);
        resp.write(true, java.nio.ByteBuffer.wrap(b), cb);
        return true;
      }
    }
    metrics.manifestMiss.increment();
    return CacheHandler.text(resp, cb, 404, "");
  }

  boolean merge(Request req, Response resp, Callback cb, String ns, Key context)
      throws IOException {
    Optional<List<Key>> ids = body(req, resp, cb, BatchFrames.MAX_MANIFEST);
    if (ids.isEmpty()) {
      return true;
    }
    manifests.merge(ns, context, ids.get());
    metrics.manifestMerge.increment();
    resp.setStatus(204);
    resp.write(true, null, cb);
    return true;
  }

  /** The id list in the request body, or empty after answering 411/413 itself. */
  private Optional<List<Key>> body(Request req, Response resp, Callback cb, int max)
      throws IOException {
    long len = req.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
    if (len < 0) {
      CacheHandler.text(resp, cb, 411, "needs an exact Content-Length\n");
      return Optional.empty();
    }
    Optional<List<Key>> ids =
        len > (long) max * (BatchFrames.LINE + 1)
            ? Optional.empty()
            : BatchFrames.parseIds(Content.Source.asInputStream(req), max);
    if (ids.isEmpty()) {
      metrics.manifestBad.increment();
      CacheHandler.text(resp, cb, 413, "at most " + max + " ids, one per line\n");
    }
    return ids;
  }
}
