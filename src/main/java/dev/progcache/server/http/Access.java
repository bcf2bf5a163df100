package dev.progcache.server.http;

import dev.progcache.server.auth.Authenticator;
import dev.progcache.server.auth.Tokens;
import dev.progcache.server.metrics.RequestCounter;
import dev.progcache.server.metrics.ServerMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * Whether a request's token may read or write a namespace: the namespaces to use when it may, a 401
 * or 403 answer (and a count) when not. Thread-safe.
 */
final class Access {
  /** Refused PUT bodies up to this size are read, so the connection can be kept. */
  private static final int DRAIN_LIMIT = 64 << 10;

  private final Authenticator auth;
  private final ServerMetrics metrics;

  Access(Authenticator auth, ServerMetrics metrics) {
    this.auth = auth;
    this.metrics = metrics;
  }

  /** Whether checking this request's token may block (an OIDC token). */
  boolean mayBlock(Request req) {
    return auth.mayBlock(req.getHeaders().get(HttpHeader.AUTHORIZATION));
  }

  /**
   * Checks the token against namespace {@code ns} (null: the principal's home). Returns the
   * namespaces to use (for a read, the lookup chain; for a write, the one to write), or answers
   * 401/403 itself and returns empty.
   */
  Optional<List<String>> check(
      Request req, Response resp, Callback cb, @Nullable String ns, Tokens.Grant need) {
    Authenticator.Outcome found = auth.check(req.getHeaders().get(HttpHeader.AUTHORIZATION));
    Tokens.Principal p = found.principal();
    boolean write = need == Tokens.Grant.WRITE;
    if (p == null && write) {
      drainSmallBody(req);
    }
    if (p == null && found.status() == 403) {
      metrics.count(write ? RequestCounter.PUT_FORBIDDEN : RequestCounter.FORBIDDEN);
      Answers.text(resp, cb, 403, found.reason() + "\n");
      return Optional.empty();
    }
    if (p == null) {
      metrics.count(write ? RequestCounter.PUT_UNAUTHORIZED : RequestCounter.UNAUTHORIZED);
      resp.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      Answers.text(resp, cb, 401, found.reason() + "\n");
      return Optional.empty();
    }
    req.setAttribute(AccessLog.PRINCIPAL, p.name());
    String in = ns == null ? p.home() : ns;
    boolean ok = need == Tokens.Grant.READ ? p.mayRead(in) : p.mayWrite(in);
    if (!ok) {
      if (write) {
        drainSmallBody(req);
      }
      metrics.count(write ? RequestCounter.PUT_FORBIDDEN : RequestCounter.FORBIDDEN);
      String verb = need == Tokens.Grant.READ ? "read" : "write";
      Answers.text(resp, cb, 403, "this token may not " + verb + " namespace " + in + "\n");
      return Optional.empty();
    }
    return Optional.of(need == Tokens.Grant.READ ? p.readChain(in) : List.of(in));
  }

  /**
   * Reads and drops the body of a refused PUT when it is small, so the connection stays usable for
   * the client's next request (unread, Jetty must close it, and a client that already reused it
   * sees a reset). Only on a virtual thread; bounded in size and time.
   */
  static void drainSmallBody(Request req) {
    long len = req.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
    if (!Thread.currentThread().isVirtual() || len <= 0 || len > DRAIN_LIMIT) {
      return;
    }
    long deadline = System.nanoTime() + 5_000_000_000L;
    try (InputStream body = new DeadlineInput(Content.Source.asInputStream(req), deadline)) {
      body.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      // the client went away or was too slow: the connection closes, as it would have
    }
  }
}
