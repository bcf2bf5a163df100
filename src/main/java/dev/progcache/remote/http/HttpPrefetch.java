package dev.progcache.remote.http;

import dev.progcache.cache.Key;
import dev.progcache.remote.RemoteException;
import dev.progcache.remote.RemoteException.Kind;
import dev.progcache.remote.RemoteTier.BatchSink;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

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
   *
   * <p>This is the bulk path of a cold runner (all of a build's bytes may come this way), so it
   * goes through the JDK's blocking {@link HttpURLConnection}: the calling (virtual) thread reads
   * the socket itself. Through {@link java.net.http.HttpClient} every chunk of the stream passed
   * from its selector thread to the reader, which cost a one-shot helper more CPU than the bytes.
   * No proxy, no redirects, the tier's connect timeout, and its header timeout between reads.
   */
  boolean getMany(List<Key> actions, BatchSink sink) throws IOException {
    if (noBatch) {
      return false;
    }
    if (actions.size() > BatchFrames.MAX_BATCH) {
      throw new IllegalArgumentException("at most " + BatchFrames.MAX_BATCH + " ids per batch");
    }
    byte[] ids = BatchFrames.ids(actions);
    tier.acquire();
    HttpURLConnection c = null;
    boolean done = false;
    try {
      c = (HttpURLConnection) tier.base.resolve("batch").toURL().openConnection(Proxy.NO_PROXY);
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      c.setConnectTimeout(millis(tier.settings.connectTimeout()));
      c.setReadTimeout(millis(tier.settings.headerTimeout()));
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setFixedLengthStreamingMode(ids.length);
      c.setRequestProperty("Content-Type", "text/plain");
      if (tier.conn.askLz4) {
        c.setRequestProperty("Accept-Encoding", "lz4");
      }
      Optional<String> token = tier.conn.credentials.bearer();
      if (token.isPresent()) {
        c.setRequestProperty("Authorization", "Bearer " + token.get());
      }
      try (OutputStream o = c.getOutputStream()) {
        o.write(ids);
      }
      int status = c.getResponseCode();
      if (status != 200) {
        drain(c.getErrorStream());
        if (unsupported(status)) {
          noBatch = true;
          done = true;
          return false;
        }
        HttpURLConnection failed = c;
        HttpTier.check(
            status, h -> Optional.ofNullable(failed.getHeaderField(h)), "POST /batch", Kind.DENIED_READ);
      }
      String enc = Optional.ofNullable(c.getHeaderField("Content-Encoding")).orElse("identity").strip();
      try (InputStream raw = c.getInputStream()) {
        InputStream in =
            new BufferedInputStream(enc.equalsIgnoreCase("lz4") ? HttpTier.lz4(raw) : raw, 1 << 16);
        frames(in, actions, sink);
      }
      done = true;
      return true;
    } finally {
      if (!done && c != null) {
        c.disconnect(); // a connection left mid-stream is not reused
      }
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
        throw new RemoteException(Kind.FAILED, "object of " + f.size() + " bytes is over the limit");
      }
      try (InputStream body = BatchFrames.body(in, f.size())) {
        sink.store(f.action(), f.output(), f.size(), body);
      }
    }
  }

  /** Reads and drops a small error body so the connection can be kept; bounded. */
  private static void drain(@Nullable InputStream in) throws IOException {
    if (in != null) {
      try (in) {
        in.readNBytes(4096);
      }
    }
  }

  private static int millis(java.time.Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
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
