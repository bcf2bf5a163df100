package dev.progcache.server.http;

import dev.progcache.cache.BadPutException;
import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.server.metrics.RequestCounter;
import dev.progcache.server.metrics.ServerMetrics;
import dev.progcache.server.store.Backing;
import dev.progcache.server.store.Namespaces;
import dev.progcache.server.store.ServerStore;
import dev.progcache.wire.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code GET action/<hex>}, {@code GET output/<hex>} and {@code PUT <action>/<output>}, after
 * {@link Access} found the namespaces to use. A lookup searches the chain on this disk first, then
 * (actions only) what stands behind each namespace, in order. Thread-safe.
 */
final class ObjectEndpoints {
  private final Namespaces namespaces;
  private final ServerMetrics metrics;
  private final CacheHandler.Limits limits;
  private final Offload offload;
  private final Bodies bodies;

  ObjectEndpoints(
      Namespaces namespaces, ServerMetrics metrics, CacheHandler.Limits limits, Offload offload) {
    this.namespaces = namespaces;
    this.metrics = metrics;
    this.limits = limits;
    this.offload = offload;
    this.bodies = new Bodies(metrics, limits.lz4MinSize(), offload);
  }

  /**
   * Answers a lookup of {@code action} right here when every namespace of {@code chain} is open and
   * on this disk only, else on a virtual thread. Returns true.
   */
  boolean action(Request req, Response resp, Callback cb, List<String> chain, Key action)
      throws Exception {
    return hereIfLocal(req, resp, cb, chain, () -> lookupAction(req, resp, cb, chain, action));
  }

  /** As {@link #action}, for {@code output}: answered from this disk only. */
  boolean output(Request req, Response resp, Callback cb, List<String> chain, Key output)
      throws Exception {
    return hereIfLocal(req, resp, cb, chain, () -> lookupOutput(req, resp, cb, chain, output));
  }

  private boolean hereIfLocal(
      Request req, Response resp, Callback cb, List<String> chain, Offload.Blocking work)
      throws Exception {
    if (namespaces.openAndLocal(chain)) {
      work.run();
      return true;
    }
    return offload.run(req, resp, cb, work);
  }

  private boolean lookupAction(
      Request req, Response resp, Callback cb, List<String> chain, Key action) throws Exception {
    Optional<Hit> h = Optional.empty();
    String served = chain.get(0);
    for (int i = 0; i < chain.size() && h.isEmpty(); i++) {
      Optional<ServerStore> s = namespaces.find(chain.get(i));
      h = s.isEmpty() ? Optional.empty() : s.get().action(action);
      served = chain.get(i);
    }
    // only when no namespace of the chain has it here: ask what stands behind each, in order
    for (int i = 0; i < chain.size() && h.isEmpty(); i++) {
      h = fetch(chain.get(i), action);
      served = chain.get(i);
    }
    namespaces.counted(chain, h.isPresent() ? served : null);
    if (h.isEmpty()) {
      metrics.count(RequestCounter.ACTION_MISS);
      return Answers.text(resp, cb, 404, "");
    }
    metrics.count(RequestCounter.ACTION_HIT);
    Hit hit = h.get();
    if (!"1".equals(req.getHeaders().get(Headers.WANT_OBJECT))) {
      resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      return Answers.text(
          resp,
          cb,
          200,
          "{\"outputID\":\""
              + hit.entry().outputId().hex()
              + "\",\"size\":"
              + hit.entry().size()
              + "}");
    }
    return bodies.send(req, resp, cb, hit);
  }

  private boolean lookupOutput(
      Request req, Response resp, Callback cb, List<String> chain, Key output) throws Exception {
    Optional<Hit> h = onDisk(chain, s -> s.output(output));
    if (h.isEmpty()) {
      metrics.count(RequestCounter.OUTPUT_MISS);
      return Answers.text(resp, cb, 404, "");
    }
    metrics.count(RequestCounter.OUTPUT_HIT);
    return bodies.send(req, resp, cb, h.get());
  }

  /** The first hit of {@code lookup} in the namespaces of {@code chain} that exist on this disk. */
  private Optional<Hit> onDisk(List<String> chain, Function<ServerStore, Optional<Hit>> lookup)
      throws IOException {
    for (String ns : chain) {
      Optional<ServerStore> s = namespaces.find(ns);
      Optional<Hit> h = s.isEmpty() ? Optional.empty() : lookup.apply(s.get());
      if (h.isPresent()) {
        return h;
      }
    }
    return Optional.empty();
  }

  /**
   * What stands behind namespace {@code ns} has for {@code action}; a miss when it cannot be kept.
   */
  private Optional<Hit> fetch(String ns, Key action) throws IOException {
    try {
      Optional<ServerStore> s = namespaces.forFetch(ns);
      return s.isEmpty() ? Optional.empty() : s.get().fetch(action);
    } catch (Namespaces.LimitReached e) {
      return Optional.empty();
    }
  }

  /** Stores the PUT's body in namespace {@code ns}; answers 204, or why not. */
  boolean put(Request req, Response resp, Callback cb, String ns, Key action, Key output) {
    long len = req.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
    if (len < 0) {
      metrics.count(RequestCounter.PUT_NO_LENGTH);
      return Answers.text(resp, cb, 411, "PUT needs an exact Content-Length\n");
    }
    ServerStore store;
    try {
      store = namespaces.get(ns);
    } catch (Namespaces.LimitReached e) {
      Access.drainSmallBody(req);
      metrics.count(RequestCounter.PUT_NAMESPACE_LIMIT);
      return Answers.text(resp, cb, 507, e.getMessage() + "\n");
    } catch (IOException e) {
      return Answers.text(resp, cb, 500, "cannot store the object\n");
    }
    long max = Math.min(limits.maxObject(), store.limit());
    if (len > max) {
      metrics.count(RequestCounter.PUT_TOO_LARGE);
      String which = max == limits.maxObject() ? "--max-object" : "the namespace's size limit";
      return Answers.text(
          resp,
          cb,
          413,
          "object of " + len + " bytes is over " + which + " of " + max + " bytes\n");
    }
    long deadline = System.nanoTime() + limits.requestTimeoutMillis() * 1_000_000L;
    try (InputStream in = new DeadlineInput(Content.Source.asInputStream(req), deadline)) {
      store.put(action, output, len, in);
    } catch (BadPutException e) {
      metrics.count(RequestCounter.PUT_BAD);
      return Answers.text(resp, cb, 400, e.getMessage() + "\n");
    } catch (Backing.Unavailable e) {
      metrics.count(RequestCounter.PUT_BACKING_FAILED);
      return Answers.text(
          resp, cb, 503, "the backing store did not take the object; try again later\n");
    } catch (IOException e) {
      return Answers.text(resp, cb, 500, "cannot store the object\n");
    }
    metrics.count(RequestCounter.PUT_OK);
    metrics.bytesIn.increment(len);
    resp.setStatus(204);
    resp.write(true, null, cb);
    return true;
  }
}
