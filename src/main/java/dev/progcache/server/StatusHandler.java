package dev.progcache.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The status page: {@code GET /} (HTML) and {@code GET /status.json}, in front of the cache
 * handler, which gets every other request. Neither path can be a cache path (those have two or
 * more segments). Same grants as reads: 401 without a known token where tokens are needed, 403 for
 * a token without the read grant; the figures shown are those of the namespaces the token reads.
 *
 * <p>Thread-safe.
 */
final class StatusHandler extends Handler.Wrapper {
  private static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
  private final Authenticator auth;
  private final Status status;
  private final ServerMetrics metrics;

  StatusHandler(Handler next, Authenticator auth, Status status, ServerMetrics metrics) {
    super(next);
    this.auth = auth;
    this.status = status;
    this.metrics = metrics;
  }

  @Override
  public boolean handle(Request req, Response resp, Callback cb) throws Exception {
    String path = Request.getPathInContext(req);
    String method = req.getMethod();
    boolean html = path.equals("/");
    if (!(html || path.equals("/status.json")) || !(method.equals("GET") || method.equals("HEAD"))) {
      return super.handle(req, resp, cb);
    }
    // the cache handler is non-blocking, so this may run on a selector thread: checking the
    // token (an OIDC token may need the issuer's keys), gathering and rendering (locks, tens of
    // kilobytes of text) go to a virtual thread
    Thread.ofVirtual()
        .name("progcache-status-page")
        .start(
            () -> {
              try {
                authorizedAnswer(req, resp, cb, html);
              } catch (Throwable t) {
                Response.writeError(req, resp, cb, t);
              }
            });
    return true;
  }

  private void authorizedAnswer(Request req, Response resp, Callback cb, boolean html) {
    Authenticator.Outcome who = auth.check(req.getHeaders().get(HttpHeader.AUTHORIZATION));
    Tokens.Principal p = who.principal();
    if (p == null && who.status() == 403) {
      metrics.forbidden.increment();
      send(resp, cb, 403, "text/plain; charset=utf-8", who.reason() + "\n");
      return;
    }
    if (p == null) {
      metrics.unauthorized.increment();
      resp.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      send(resp, cb, 401, "text/plain; charset=utf-8", who.reason() + "\n");
      return;
    }
    req.setAttribute(AccessLog.PRINCIPAL, p.name());
    if (!p.grants().contains(Tokens.Grant.READ)) {
      metrics.forbidden.increment();
      send(resp, cb, 403, "text/plain; charset=utf-8", "this token may not read\n");
      return;
    }
    answer(resp, cb, html, status.figures(p));
  }

  private static void answer(Response resp, Callback cb, boolean html, StatusFigures f) {
    resp.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    resp.getHeaders().put("X-Content-Type-Options", "nosniff");
    if (html) {
      resp.getHeaders().put("Content-Security-Policy", CSP);
      send(resp, cb, 200, "text/html; charset=utf-8", StatusPage.render(f));
    } else {
      send(resp, cb, 200, "application/json", StatusJson.write(f));
    }
  }

  private static boolean send(Response resp, Callback cb, int status, String type, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    resp.setStatus(status);
    resp.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    resp.getHeaders().put(HttpHeader.CONTENT_LENGTH, b.length);
    resp.write(true, ByteBuffer.wrap(b), cb);
    return true;
  }
}
