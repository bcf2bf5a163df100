package dev.progcache.server.http;

import dev.progcache.server.auth.Authenticator;
import dev.progcache.server.auth.Tokens;
import dev.progcache.server.metrics.RequestCounter;
import dev.progcache.server.metrics.ServerMetrics;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Who may read {@code /metrics}. On the main address: a principal with the {@code metrics} grant
 * (401 without a known token, 403 without the grant), and the lines that name a namespace are only
 * those of namespaces it may read. On the {@code --metrics-listen} address ({@link Port}):
 * everything, to anyone who reaches it, and nothing else is served there.
 *
 * <p>Thread-safe.
 */
public final class MetricsEndpoint {
  static final String TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final Pattern NAMESPACE = Pattern.compile("namespace=\"([^\"]*)\"");

  private final Authenticator auth;
  private final ServerMetrics metrics;

  public MetricsEndpoint(Authenticator auth, ServerMetrics metrics) {
    this.auth = auth;
    this.metrics = metrics;
  }

  /** Answers {@code GET /metrics} on the main address; may block (an OIDC token's keys). */
  public boolean scrape(Request req, Response resp, Callback cb) {
    Authenticator.Outcome who = auth.check(req.getHeaders().get(HttpHeader.AUTHORIZATION));
    Tokens.Principal p = who.principal();
    if (p == null && who.status() == 403) {
      metrics.count(RequestCounter.FORBIDDEN);
      return Answers.text(resp, cb, 403, who.reason() + "\n");
    }
    if (p == null) {
      metrics.count(RequestCounter.UNAUTHORIZED);
      resp.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      return Answers.text(resp, cb, 401, who.reason() + "\n");
    }
    req.setAttribute(AccessLog.PRINCIPAL, p.name());
    if (!p.grants().contains(Tokens.Grant.METRICS)) {
      metrics.count(RequestCounter.FORBIDDEN);
      return Answers.text(
          resp, cb, 403, "this token may not read /metrics (progcache token create --metrics)\n");
    }
    resp.getHeaders().put(HttpHeader.CONTENT_TYPE, TYPE);
    Predicate<String> readable =
        ns -> p.grants().contains(Tokens.Grant.READ) && p.reads().contains(ns);
    return Answers.text(resp, cb, 200, readableBy(metrics.scrape(), readable));
  }

  /** {@code scrape} without the lines naming a namespace that {@code readable} refuses. */
  public static String readableBy(String scrape, Predicate<String> readable) {
    StringBuilder b = new StringBuilder(scrape.length());
    for (String line : scrape.split("\n", -1)) {
      Matcher m = NAMESPACE.matcher(line);
      if (!m.find() || readable.test(m.group(1))) {
        b.append(line).append('\n');
      }
    }
    return b.substring(0, Math.max(0, b.length() - 1));
  }

  /**
   * In front of the server's handlers: a request that came in on the metrics connector gets the
   * whole of {@code /metrics} (GET) or 404, and never reaches the cache.
   */
  public static final class Port extends Handler.Wrapper {
    private final Connector connector;
    private final ServerMetrics metrics;

    public Port(Handler next, Connector connector, ServerMetrics metrics) {
      super(next);
      this.connector = connector;
      this.metrics = metrics;
    }

    @Override
    public boolean handle(Request req, Response resp, Callback cb) throws Exception {
      if (req.getConnectionMetaData().getConnector() != connector) {
        return super.handle(req, resp, cb);
      }
      String method = req.getMethod();
      if ((method.equals("GET") || method.equals("HEAD"))
          && Request.getPathInContext(req).equals("/metrics")) {
        resp.getHeaders().put(HttpHeader.CONTENT_TYPE, TYPE);
        return Answers.text(resp, cb, 200, metrics.scrape());
      }
      return Answers.text(resp, cb, 404, "only /metrics is served on this address\n");
    }
  }
}
