package dev.progcache.server.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Short plain-text answers, the same for every endpoint. Stateless. */
public final class Answers {
  private Answers() {}

  /**
   * Answers {@code status} with {@code body} as UTF-8 text (keeping a content type set before),
   * completing {@code cb}. Returns true, as Jetty's {@code handle} does for a handled request.
   */
  public static boolean text(Response resp, Callback cb, int status, String body) {
    resp.setStatus(status);
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    if (!resp.getHeaders().contains(HttpHeader.CONTENT_TYPE) && b.length > 0) {
      resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    }
    resp.getHeaders().put(HttpHeader.CONTENT_LENGTH, b.length);
    resp.write(true, ByteBuffer.wrap(b), cb);
    return true;
  }

  /** 400 for an id that is not 64 hex digits. */
  static boolean badId(Response resp, Callback cb) {
    return text(resp, cb, 400, "ids must be 64 hex digits\n");
  }
}
