package dev.progcache.remote.http;

import dev.progcache.cache.Key;
import dev.progcache.remote.RemoteException;
import dev.progcache.remote.RemoteException.Kind;
import dev.progcache.remote.RemoteTier.BatchSink;
import dev.progcache.wire.BatchFrames;
import dev.progcache.wire.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
   * the server has no batch request (nothing was fetched). This is the bulk path of a cold runner:
   * all of a build's bytes may come this way (read by the calling thread, see {@link Exchange}).
   */
  boolean getMany(List<Key> actions, BatchSink sink) throws IOException {
    if (noBatch) {
      return false;
    }
    if (actions.size() > BatchFrames.MAX_BATCH) {
      throw new IllegalArgumentException("at most " + BatchFrames.MAX_BATCH + " ids per batch");
    }
    Map<String, String> h = tier.headers(true);
    h.put("Content-Type", "text/plain");
    tier.acquire();
    try (Exchange r =
        tier.exchange(tier.base.resolve("batch"), "POST", h, BatchFrames.ids(actions))) {
      if (r.status() != 200) {
        r.discardSmall();
        if (unsupported(r.status())) {
          noBatch = true;
          return false;
        }
        HttpTier.check(r, "POST /batch", Kind.DENIED_READ);
      }
      String enc = r.header("Content-Encoding").orElse("identity").strip();
      InputStream in =
          new ReadBuffer(enc.equalsIgnoreCase("lz4") ? HttpTier.lz4(r.body()) : r.body(), 1 << 16);
      frames(in, actions, sink);
      return true;
    } finally {
      tier.conn.slots.release();
    }
  }

  /** Hands every frame of a batch response to {@code sink}; refuses what was not asked for. */
  private void frames(InputStream in, List<Key> actions, BatchSink sink) throws IOException {
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

  Optional<Manifest> manifest(Key context) throws IOException {
    if (noManifests) {
      return Optional.empty();
    }
    Map<String, String> h = tier.headers(false);
    tier.acquire();
    try (Exchange r =
        tier.exchange(tier.base.resolve("manifest/" + context.hex()), "GET", h, null)) {
      int s = r.status();
      if (s == 404) {
        return Optional.empty(); // none yet, or a server without manifests
      }
      if (unsupported(s)) {
        noManifests = true;
        return Optional.empty();
      }
      HttpTier.check(r, "GET /manifest", Kind.DENIED_READ);
      String asked = r.header(BatchFrames.ASKED).orElse(null);
      String settled = r.header(BatchFrames.SETTLED).orElse(null);
      return BatchFrames.parseIds(r.body(), BatchFrames.MAX_MANIFEST)
          .map(ids -> BatchFrames.answer(ids, asked, settled));
    } finally {
      tier.conn.slots.release();
    }
  }

  void addToManifest(Key context, Manifest report) throws IOException {
    List<Key> actions = report.ids();
    if (noManifests || actions.isEmpty()) {
      return;
    }
    List<Key> some = actions.subList(0, Math.min(actions.size(), BatchFrames.MAX_MANIFEST));
    Map<String, String> h = tier.headers(false);
    h.put("Content-Type", "text/plain");
    h.put(BatchFrames.ASKED, Integer.toString(Math.min(report.asked(), some.size())));
    if (report.settled()) {
      h.put(BatchFrames.SETTLED, "1");
    }
    tier.acquire();
    try (Exchange r =
        tier.exchange(
            tier.base.resolve("manifest/" + context.hex()), "POST", h, BatchFrames.ids(some))) {
      r.discardSmall();
      int s = r.status();
      if (s == 404 || unsupported(s)) {
        noManifests = true;
        return;
      }
      if (s != 204 && s != 200) {
        HttpTier.check(r, "POST /manifest", Kind.DENIED_WRITE);
      }
    } finally {
      tier.conn.slots.release();
    }
  }

  private static boolean unsupported(int status) {
    return status == 404 || status == 405 || status == 501;
  }
}
