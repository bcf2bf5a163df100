package dev.progcache.modproxy;

import dev.progcache.cache.Stats;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /mod/...} in front of the cache server's handlers, which get every other request: the
 * GOPROXY protocol and the checksum database, after the token check. Answers: 200 with the file;
 * the upstream's 404 or 410 with its body (go prints it and, in a GOPROXY list, tries the next
 * proxy); 400 for a path that is not a valid case-encoded module path and version; 401/403 for a
 * missing token or one without the modules grant; 405 for other methods; 502 with a message go
 * prints when the upstream failed or served a bad file.
 *
 * <p>Thread-safe. Each request runs on a virtual thread of its own (fetches block).
 */
final class ModProxyHandler extends Handler.Wrapper {
  static final String PREFIX = "/mod/";
  private final ModProxy proxy;
  private final ModProxy.Access access;
  private final Stats stats;

  ModProxyHandler(Handler next, ModProxy proxy, ModProxy.Access access) {
    super(next);
    this.proxy = proxy;
    this.access = access;
    this.stats = proxy.stats();
  }

  @Override
  public boolean handle(Request req, Response resp, Callback cb) throws Exception {
    String path = Request.getPathInContext(req);
    if (!path.startsWith(PREFIX)) {
      return super.handle(req, resp, cb);
    }
    Thread.ofVirtual()
        .name("progcache-modproxy")
        .start(
            () -> {
              try {
                answer(req, resp, cb, path.substring(PREFIX.length()));
              } catch (Throwable t) {
                Response.writeError(req, resp, cb, t);
              }
            });
    return true;
  }

  private void answer(Request req, Response resp, Callback cb, String rest) throws IOException {
    String method = req.getMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      resp.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      text(resp, cb, 405, "the module proxy answers GET and HEAD only\n");
      return;
    }
    ModProxy.Verdict v = access.check(req);
    if (v.status() != 200) {
      stats.add(ModStats.DENIED, 1);
      if (v.status() == 401) {
        resp.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      } else if (v.status() == 429) {
        resp.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
      }
      text(resp, cb, v.status(), v.reason() + "\n");
      return;
    }
    boolean head = method.equals("HEAD");
    if (rest.startsWith("sumdb/")) {
      Optional<SumdbPath> s = SumdbPath.parse(rest.substring("sumdb/".length()));
      if (s.isEmpty()) {
        text(resp, cb, 400, "not a checksum database path: " + printable(rest) + "\n");
        return;
      }
      stats.add(ModStats.SUMDB, 1);
      SumdbPath p = s.get();
      if (p.tile()) {
        send(
            resp,
            cb,
            head,
            "application/octet-stream",
            proxy.files().get(p.storeKey(), p.upstreamPath(), p.check()));
      } else {
        listed(resp, cb, head, "text/plain; charset=utf-8", p);
      }
      return;
    }
    Optional<ModRequest> r = ModRequest.parse(rest);
    if (r.isEmpty()) {
      text(
          resp,
          cb,
          400,
          "not a module proxy path with a valid case-encoded module path and version: "
              + printable(rest)
              + "\n");
      return;
    }
    ModRequest m = r.get();
    String type =
        switch (m.kind()) {
          case INFO, LATEST -> "application/json";
          case ZIP -> "application/zip";
          default -> "text/plain; charset=utf-8";
        };
    if (m.kind().immutable()) {
      StoredFiles.Check check =
          m.kind() == ModRequest.Kind.ZIP
              ? f -> ZipCheck.problem(f, m.path(), m.version())
              : StoredFiles.Check.NONE;
      send(resp, cb, head, type, proxy.files().get(m.storeKey(), m.upstreamPath(), check));
      return;
    }
    listed(resp, cb, head, type, m);
  }

  /** An answer that changes: from {@link Listings}, fresh, refreshed or stale; else a 502. */
  private void listed(Response resp, Callback cb, boolean head, String type, Listings.Listed x)
      throws IOException {
    StringBuilder failure = new StringBuilder();
    Optional<Listings.Listing> l = proxy.listings().get(x, failure);
    if (l.isEmpty()) {
      text(resp, cb, 502, "progcache: " + failure + "\n");
      return;
    }
    bytes(
        resp,
        cb,
        head,
        l.get().status() == 200 ? type : "text/plain; charset=utf-8",
        l.get().status(),
        l.get().body());
  }

  private void send(Response resp, Callback cb, boolean head, String type, StoredFiles.Result r)
      throws IOException {
    switch (r) {
      case StoredFiles.Missing m ->
          bytes(
              resp,
              cb,
              head,
              "text/plain; charset=utf-8",
              m.status(),
              m.body().getBytes(StandardCharsets.UTF_8));
      case StoredFiles.Failed f -> text(resp, cb, 502, "progcache: " + f.message() + "\n");
      case StoredFiles.Found f -> {
        try (FileChannel ch = f.file().channel()) {
          resp.setStatus(200);
          resp.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
          resp.getHeaders().put(HttpHeader.CONTENT_LENGTH, f.file().size());
          if (head) {
            resp.write(true, ByteBuffer.allocate(0), cb);
            return;
          }
          try (OutputStream out = Content.Sink.asOutputStream(resp)) {
            ByteBuffer b = ByteBuffer.allocate(64 << 10);
            long left = f.file().size();
            while (left > 0) {
              b.clear();
              int n = ch.read(b);
              if (n < 0) {
                throw new IOException("a stored module file shrank while being sent");
              }
              out.write(b.array(), 0, n);
              left -= n;
            }
          }
          stats.add(ModStats.BYTES_SERVED, f.file().size());
          cb.succeeded();
        }
      }
    }
  }

  private void bytes(
      Response resp, Callback cb, boolean head, String type, int status, byte[] body) {
    resp.setStatus(status);
    resp.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    resp.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    stats.add(ModStats.BYTES_SERVED, head ? 0 : body.length);
    resp.write(true, ByteBuffer.wrap(head ? new byte[0] : body), cb);
  }

  private void text(Response resp, Callback cb, int status, String body) {
    bytes(
        resp,
        cb,
        false,
        "text/plain; charset=utf-8",
        status,
        body.getBytes(StandardCharsets.UTF_8));
  }

  private static String printable(String s) {
    String t = s.length() > 200 ? s.substring(0, 200) + "..." : s;
    return t.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
