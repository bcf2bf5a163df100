package dev.progcache.server.http;

import dev.progcache.server.auth.Authenticator;
import dev.progcache.server.auth.Tokens;
import java.io.StringWriter;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * {@code GET /grants} (or {@code /ns/<name>/grants}): what the presented token may do in the
 * request's namespace, so a helper learns once that its token is read-only instead of being refused
 * on every upload, and {@code doctor} can check a token without writing anything. The answer:
 *
 * <pre>{@code {"principal":"ci-main","namespace":"main","read":true,"write":false,
 *  "grants":["read"],"reads":["main"]}}</pre>
 *
 * <p>{@code principal} is the token's name, never the token. 401 without a valid token (a request
 * without one gets the anonymous grants when the server allows anonymous access). Stateless and
 * thread-safe.
 */
final class GrantsEndpoint {
  private static final JsonFactory JSON = new JsonFactory();

  private GrantsEndpoint() {}

  /**
   * Answers the request: 200 with the grants in namespace {@code ns} (null: the token's own), or
   * 401/403 as the authenticator decides. Returns true.
   */
  static boolean answer(
      Authenticator auth, Request req, Response resp, Callback cb, @Nullable String ns) {
    Authenticator.Outcome found = auth.check(req.getHeaders().get(HttpHeader.AUTHORIZATION));
    Tokens.Principal p = found.principal();
    if (p == null) {
      if (found.status() == 401) {
        resp.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      }
      return Answers.text(resp, cb, found.status(), found.reason() + "\n");
    }
    req.setAttribute(AccessLog.PRINCIPAL, p.name());
    resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    resp.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    return Answers.text(resp, cb, 200, json(p, ns == null ? p.home() : ns) + "\n");
  }

  static String json(Tokens.Principal p, String ns) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(ObjectWriteContext.empty(), w)) {
      g.writeStartObject();
      g.writeStringProperty("principal", p.name());
      g.writeStringProperty("namespace", ns);
      g.writeBooleanProperty("read", p.mayRead(ns));
      g.writeBooleanProperty("write", p.mayWrite(ns));
      g.writeArrayPropertyStart("grants");
      for (Tokens.Grant grant : Tokens.Grant.values()) {
        if (p.grants().contains(grant)) {
          g.writeString(grant.name().toLowerCase(Locale.ROOT));
        }
      }
      g.writeEndArray();
      g.writeArrayPropertyStart("reads");
      for (String r : p.reads()) {
        g.writeString(r);
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return w.toString();
  }
}
