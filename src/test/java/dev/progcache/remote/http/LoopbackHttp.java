package dev.progcache.remote.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/** What the tests of this package's client share about the JDK server they run on loopback. */
final class LoopbackHttp {
  private LoopbackHttp() {}

  /** Answers 200 with {@code body} (no body when it is empty) and ends the exchange. */
  static void ok(HttpExchange ex, byte[] body) throws IOException {
    ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
    try (OutputStream o = ex.getResponseBody()) {
      o.write(body);
    }
  }

  /** A client of {@code server}, sending {@code token} when given. */
  static HttpTier tier(HttpServer server, @Nullable String token) {
    return new HttpTier(
        HttpTier.Config.of(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"), token));
  }
}
