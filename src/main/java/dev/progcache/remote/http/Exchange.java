package dev.progcache.remote.http;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.Proxy;
import java.net.SocketException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One request and its response through the JDK's blocking {@link HttpURLConnection}: the calling
 * (virtual) thread writes the request and reads the response from the socket itself. The tier's
 * reads go this way, bulk or not: through {@link java.net.http.HttpClient} every chunk of a
 * response passed from the client's selector thread to the reader, and building that client and its
 * first exchange cost a one-shot helper ~0.3 s of CPU (ADR 0011). Uploads go this way too: through
 * the client they added about 2.5 times the CPU of a cold build's local work to the helper, this
 * way about 1.8 times (ADR 0024).
 *
 * <p>No proxy, no redirects (the caller decides, see {@link HttpTier}), the tier's connect timeout,
 * and the read timeout given (the tier's header timeout; none for an upload). Interrupting the
 * thread closes the connection. Closing the exchange closes the body; a connection closed before
 * its body ended is not reused. A kept-alive connection the server closed makes the request go
 * again on a new one, with or without a body.
 */
final class Exchange implements Closeable {
  /** How often a request with a body is sent again when its connection ended under it. */
  static final int RESENDS = Integer.getInteger("http.maxConnections", 5);

  private final HttpURLConnection c;
  private final int status;
  private final InputStream body;

  private Exchange(HttpURLConnection c, int status, InputStream body) {
    this.c = c;
    this.status = status;
    this.body = body;
  }

  /** A request body of a known length, written to the connection by the calling thread. */
  interface Content {
    long length();

    void writeTo(OutputStream out) throws IOException;

    static Content of(byte[] bytes) {
      return new Content() {
        @Override
        public long length() {
          return bytes.length;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
          out.write(bytes);
        }
      };
    }

    /** The {@code length} bytes of file {@code file}, copied straight to the connection. */
    static Content of(Path file, long length) {
      return new Content() {
        @Override
        public long length() {
          return length;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
          try (InputStream in = Files.newInputStream(file)) {
            long n = in.transferTo(out);
            if (n != length) {
              throw new IOException(file + " has " + n + " bytes, expected " + length);
            }
          }
        }
      };
    }
  }

  /**
   * Sends {@code method} to {@code uri} with {@code headers} and {@code content} (null for none)
   * and returns once the response headers are in.
   */
  static Exchange send(
      URI uri,
      String method,
      Map<String, String> headers,
      byte @Nullable [] content,
      Duration connectTimeout,
      Duration readTimeout)
      throws IOException {
    return send(
        uri,
        method,
        headers,
        content == null ? null : Content.of(content),
        connectTimeout,
        readTimeout);
  }

  /**
   * As {@link #send(URI, String, Map, byte[], Duration, Duration)}, with a streamed body.
   *
   * <p>A request whose kept-alive connection the server had closed (it restarted, or its idle
   * timeout struck) fails before any answer. The JDK sends a request without a body again on a new
   * connection, but not one with a streamed body: that one is sent again here, on another
   * connection, as long as it fails that way, at most {@link #RESENDS} times (the most idle
   * connections the JDK keeps to one server, any of which the restart may have closed).
   */
  static Exchange send(
      URI uri,
      String method,
      Map<String, String> headers,
      @Nullable Content content,
      Duration connectTimeout,
      Duration readTimeout)
      throws IOException {
    for (int resent = 0; ; resent++) {
      HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      c.setConnectTimeout(millis(connectTimeout));
      c.setReadTimeout(millis(readTimeout));
      c.setRequestMethod(method);
      headers.forEach(c::setRequestProperty);
      try {
        return exchange(c, content);
      } catch (SocketException e) {
        if (content == null || resent >= RESENDS || !closedUnderfoot(e)) {
          throw e;
        }
      }
    }
  }

  /**
   * Whether {@code e} says the connection ended under the request (a reset, an end of stream, a
   * broken pipe) rather than that no connection could be made, and the thread was not interrupted.
   */
  private static boolean closedUnderfoot(SocketException e) {
    return !(e instanceof ConnectException
            || e instanceof NoRouteToHostException
            || e instanceof PortUnreachableException)
        && !Thread.currentThread().isInterrupted();
  }

  /** Sends the request {@code c} is set up for, with {@code content}, and reads the answer. */
  private static Exchange exchange(HttpURLConnection c, @Nullable Content content)
      throws IOException {
    boolean ok = false;
    try {
      if (content != null) {
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(content.length());
        try (OutputStream o = c.getOutputStream()) {
          content.writeTo(o);
        }
      }
      int status = c.getResponseCode();
      InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
      Exchange e = new Exchange(c, status, in == null ? InputStream.nullInputStream() : in);
      ok = true;
      return e;
    } finally {
      if (!ok) {
        c.disconnect();
      }
    }
  }

  int status() {
    return status;
  }

  /** The first value of response header {@code name}. */
  Optional<String> header(String name) {
    return Optional.ofNullable(c.getHeaderField(name));
  }

  /** The response body (an error body for 4xx and 5xx; empty when there is none). */
  InputStream body() {
    return body;
  }

  /**
   * Reads and drops up to 4 KiB of the body, so a small error answer leaves the connection usable.
   */
  void discardSmall() throws IOException {
    body.readNBytes(4096);
  }

  @Override
  public void close() throws IOException {
    body.close();
  }

  /**
   * A timeout for {@link HttpURLConnection}: zero stays zero (none), anything else at least 1 ms.
   */
  private static int millis(Duration d) {
    if (d.isZero()) {
      return 0;
    }
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
  }
}
