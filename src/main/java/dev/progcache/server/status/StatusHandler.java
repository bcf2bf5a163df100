package dev.progcache.server.status;

import dev.progcache.server.auth.Authenticator;
import dev.progcache.server.auth.Tokens;
import dev.progcache.server.http.AccessLog;
import dev.progcache.server.metrics.RequestCounter;
import dev.progcache.server.metrics.ServerMetrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * The status page: {@code GET /} (HTML) and {@code GET /status.json}, and the browser's {@code POST
 * /signin} and {@code POST /signout} ({@link StatusSession}), in front of the cache handler, which
 * gets every other request. None of these paths can be a cache path (those have two or more
 * segments). Same grants as reads, from the {@code Authorization} header or a session cookie: 401
 * without a known token where tokens are needed (the page answers with the sign-in form then, and
 * shows nothing else), 403 for a token without the read grant; the figures shown are those of the
 * namespaces the token reads.
 *
 * <p>Thread-safe.
 */
public final class StatusHandler extends Handler.Wrapper {
  private static final String CSP =
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'";
  private final Authenticator auth;
  private final Status status;
  private final ServerMetrics metrics;
  private final StatusSession sessions;

  public StatusHandler(
      Handler next,
      Authenticator auth,
      Status status,
      ServerMetrics metrics,
      StatusSession sessions) {
    super(next);
    this.auth = auth;
    this.status = status;
    this.metrics = metrics;
    this.sessions = sessions;
  }

  @Override
  public boolean handle(Request req, Response resp, Callback cb) throws Exception {
    String path = Request.getPathInContext(req);
    String method = req.getMethod();
    boolean html = path.equals("/");
    boolean post =
        method.equals("POST")
            && (path.equals(StatusSession.SIGN_IN) || path.equals(StatusSession.SIGN_OUT));
    if (!post
        && (!(html || path.equals("/status.json"))
            || !(method.equals("GET") || method.equals("HEAD")))) {
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
                if (!post) {
                  authorizedAnswer(req, resp, cb, html);
                } else if (path.equals(StatusSession.SIGN_IN)) {
                  signIn(req, resp, cb);
                } else {
                  signOut(req, resp, cb);
                }
              } catch (Throwable t) {
                Response.writeError(req, resp, cb, t);
              }
            });
    return true;
  }

  private void authorizedAnswer(Request req, Response resp, Callback cb, boolean html) {
    String authorization = sessions.authorization(req);
    Optional<Tokens.Principal> p = reader(req, resp, cb, authorization, html);
    if (p.isPresent()) {
      answer(resp, cb, html, status.figures(p.get()), html && sessions.signedIn(req));
    }
  }

  /**
   * The principal of {@code authorization} when it may read; else answers 401 or 403 itself (an
   * HTML request with the sign-in form) and returns empty.
   */
  private Optional<Tokens.Principal> reader(
      Request req, Response resp, Callback cb, @Nullable String authorization, boolean html) {
    Authenticator.Outcome who = auth.check(authorization);
    Tokens.Principal p = who.principal();
    if (p == null && who.status() == 403) {
      metrics.count(RequestCounter.FORBIDDEN);
      refuse(resp, cb, 403, who.reason(), html);
      return Optional.empty();
    }
    if (p == null) {
      metrics.count(RequestCounter.UNAUTHORIZED);
      resp.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      refuse(resp, cb, 401, authorization == null ? null : who.reason(), html);
      return Optional.empty();
    }
    req.setAttribute(AccessLog.PRINCIPAL, p.name());
    if (!p.grants().contains(Tokens.Grant.READ)) {
      metrics.count(RequestCounter.FORBIDDEN);
      refuse(resp, cb, 403, "this token may not read", html);
      return Optional.empty();
    }
    return Optional.of(p);
  }

  private static void refuse(
      Response resp, Callback cb, int status, @Nullable String why, boolean html) {
    if (html) {
      headers(resp);
      send(resp, cb, status, "text/html; charset=utf-8", SignInPage.render(why));
    } else {
      send(
          resp,
          cb,
          status,
          "text/plain; charset=utf-8",
          (why == null ? "missing token" : why) + "\n");
    }
  }

  /**
   * {@code POST /signin}: a session for the form's token when it may read, then back to the page.
   */
  private void signIn(Request req, Response resp, Callback cb) throws IOException {
    if (!StatusSession.sameOrigin(req)) {
      refuse(resp, cb, 403, "sign-in from another site refused", true);
      return;
    }
    long len = req.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
    byte[] body = Content.Source.asInputStream(req).readNBytes(StatusSession.MAX_FORM + 1);
    Optional<String> token =
        len > StatusSession.MAX_FORM || body.length > StatusSession.MAX_FORM
            ? Optional.empty()
            : StatusSession.tokenOf(new String(body, StandardCharsets.UTF_8));
    if (token.isEmpty()) {
      refuse(resp, cb, 400, "enter a token", true);
      return;
    }
    if (reader(req, resp, cb, "Bearer " + token.get(), true).isPresent()) {
      Response.addCookie(resp, sessions.start(token.get(), StatusSession.overTls(req)));
      back(resp, cb);
    }
  }

  /** {@code POST /signout}: forgets the session, clears the cookie, back to the (sign-in) page. */
  private void signOut(Request req, Response resp, Callback cb) {
    if (!StatusSession.sameOrigin(req)) {
      refuse(resp, cb, 403, "sign-out from another site refused", true);
      return;
    }
    Response.addCookie(resp, sessions.end(req, StatusSession.overTls(req)));
    back(resp, cb);
  }

  private static void back(Response resp, Callback cb) {
    resp.getHeaders().put(HttpHeader.LOCATION, "./");
    resp.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    send(resp, cb, 303, "text/plain; charset=utf-8", "");
  }

  private static void headers(Response resp) {
    resp.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    resp.getHeaders().put("X-Content-Type-Options", "nosniff");
    resp.getHeaders().put("Content-Security-Policy", CSP);
  }

  private static void answer(
      Response resp, Callback cb, boolean html, StatusFigures f, boolean signedIn) {
    headers(resp);
    if (html) {
      send(resp, cb, 200, "text/html; charset=utf-8", StatusPage.render(f, signedIn));
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
