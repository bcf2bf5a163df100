package dev.progcache.server.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * The body of every error the server does not answer itself (a request Jetty cannot parse, a
 * handler that failed): one plain-text line with the status and its standard reason, never an HTML
 * page, an exception message or a class name. Thread-safe.
 */
public final class PlainErrors extends ErrorHandler {
  /** The text sent for {@code status}. */
  static String text(int status) {
    String reason = HttpStatus.getMessage(status);
    return status
        + " "
        + (reason == null ? "error" : reason.toLowerCase(java.util.Locale.ROOT))
        + "\n";
  }

  @Override
  protected void generateResponse(
      Request req,
      Response resp,
      int code,
      @Nullable String message,
      @Nullable Throwable cause,
      Callback cb) {
    byte[] b = text(code).getBytes(StandardCharsets.UTF_8);
    resp.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    resp.getHeaders().put(HttpHeader.CONTENT_LENGTH, b.length);
    resp.write(true, ByteBuffer.wrap(b), cb);
  }
}
