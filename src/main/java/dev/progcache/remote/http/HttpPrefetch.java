package dev.progcache.remote.http;

import dev.progcache.cache.Key;
import dev.progcache.remote.RemoteException;
import dev.progcache.remote.RemoteException.Kind;
import dev.progcache.remote.RemoteTier.BatchSink;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The prefetch requests of {@link HttpTier} (see {@link BatchFrames} for the wire forms): {@code
 * POST batch}, {@code GET manifest/<context>} and {@code POST manifest/<context>}, relative to the
 * tier's base URL (so inside its namespace). A server that answers 404, 405 or 501 is taken not to
 * have them, for the rest of the session. Thread-safe.
 */
final class HttpPrefetch {
  private final HttpTier tier;
  private volatile boolean noBatch;
  private volatile boolean noManifests;

  HttpPrefetch(HttpTier tier) {
    this.tier = tier;
  }

  /**
   * Fetches {@code actions} in one request, handing every hit to {@code sink}. Returns false when
   * the server has no batch request (nothing was fetched).
   */
  boolean getMany(List<Key> actions, BatchSink sink) throws IOException {
    if (noBatch) {
      return false;
    }
    if (actions.size() > BatchFrames.MAX_BATCH) {
      throw new IllegalArgumentException("at most " + BatchFrames.MAX_BATCH + " ids per batch");
    }
    HttpRequest.Builder b =
        HttpRequest.newBuilder(tier.base.resolve("batch"))
            .timeout(tier.settings.headerTimeout())
            .header("Content-Type", "text/plain")
            .POST(HttpRequest.BodyPublishers.ofByteArray(BatchFrames.ids(actions)));
    if (tier.conn.askLz4) {
      b.header("Accept-Encoding", "lz4");
    }
    HttpResponse<InputStream> r = send(b);
    try (InputStream raw = r.body()) {
      if (unsupported(r.statusCode())) {
        noBatch = true;
        return false;
      }
      HttpTier.check(r, "POST /batch", Kind.DENIED_READ);
      String enc = r.headers().firstValue("Content-Encoding").orElse("identity").strip();
      InputStream in =
          new BufferedInputStream(enc.equalsIgnoreCase("lz4") ? HttpTier.lz4(raw) : raw, 1 << 16);
      Set<Key> asked = new HashSet<>(actions);
      for (Optional<BatchFrames.Header> h = BatchFrames.readHeader(in);
          h.isPresent();
          h = BatchFrames.readHeader(in)) {
        BatchFrames.Header f = h.get();
        if (!asked.remove(f.action())) {
          throw new RemoteException(Kind.FAILED, "batch response with an object not asked for");
        }
        if (f.size() > tier.settings.maxObjectSize()) {
          throw new RemoteException(
              Kind.FAILED, "object of " + f.size() + " bytes is over the limit");
        }
        try (InputStream body = BatchFrames.body(in, f.size())) {
          sink.store(f.action(), f.output(), f.size(), body);
        }
      }
    }
    return true;
  }

  Optional<List<Key>> manifest(Key context) throws IOException {
    if (noManifests) {
      return Optional.empty();
    }
    HttpRequest.Builder b =
        HttpRequest.newBuilder(tier.base.resolve("manifest/" + context.hex()))
            .timeout(tier.settings.headerTimeout())
            .GET();
    HttpResponse<InputStream> r = send(b);
    try (InputStream in = r.body()) {
      int s = r.statusCode();
      if (s == 404) {
        return Optional.empty(); // none yet, or a server without manifests
      }
      if (unsupported(s)) {
        noManifests = true;
        return Optional.empty();
      }
      HttpTier.check(r, "GET /manifest", Kind.DENIED_READ);
      return BatchFrames.parseIds(in, BatchFrames.MAX_MANIFEST);
    }
  }

  void addToManifest(Key context, List<Key> actions) throws IOException {
    if (noManifests || actions.isEmpty()) {
      return;
    }
    List<Key> some = actions.subList(0, Math.min(actions.size(), BatchFrames.MAX_MANIFEST));
    HttpRequest.Builder b =
        HttpRequest.newBuilder(tier.base.resolve("manifest/" + context.hex()))
            .header("Content-Type", "text/plain")
            .POST(HttpRequest.BodyPublishers.ofByteArray(BatchFrames.ids(some)));
    HttpResponse<InputStream> r = send(b);
    try (InputStream in = r.body()) {
      in.readNBytes(4096);
      int s = r.statusCode();
      if (s == 404 || unsupported(s)) {
        noManifests = true;
        return;
      }
      if (s != 204 && s != 200) {
        HttpTier.check(r, "POST /manifest", Kind.DENIED_WRITE);
      }
    }
  }

  private static boolean unsupported(int status) {
    return status == 404 || status == 405 || status == 501;
  }

  private HttpResponse<InputStream> send(HttpRequest.Builder b) throws IOException {
    tier.authorize(b);
    tier.acquire();
    try {
      return tier.client().send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("request interrupted");
    } finally {
      tier.conn.slots.release();
    }
  }
}
