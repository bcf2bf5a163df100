package dev.progcache.server.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.HTTP2Connection;
import org.eclipse.jetty.http2.HTTP2Session;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.Callback;

/**
 * A connector whose graceful stop is prompt: it stops accepting, closes at once the connections
 * kept alive between requests, and lets the connections with requests in flight finish them, then
 * end. An HTTP/1.1 request in flight is answered with {@code Connection: close} (or its connection
 * ends after a response already under way), by Jetty; an HTTP/2 connection is told GOAWAY and
 * closed once its last stream is done (looked at every {@value #RECHECK_MILLIS} ms).
 *
 * <p>Without this, a stop waited for every idle kept-alive connection to reach the shutdown idle
 * timeout, however idle the server was. A request that arrives on an idle connection at the very
 * moment it is closed sees the connection end before any answer, as at any keep-alive timeout; HTTP
 * clients send such a request again on a new connection (the helper's gets do).
 *
 * <p>Thread-safe, like {@link ServerConnector}.
 */
public final class PromptStopConnector extends ServerConnector {
  private static final long RECHECK_MILLIS = 100;

  /** A connector of {@code server} with one acceptor, one selector and {@code factories}. */
  public PromptStopConnector(Server server, ConnectionFactory... factories) {
    super(server, 1, 1, factories);
  }

  @Override
  public CompletableFuture<Void> shutdown() {
    // first stop accepting: every response committed from now on closes its connection
    CompletableFuture<Void> done = super.shutdown();
    closeIdle(done);
    return done;
  }

  /** Closes the connections between requests; looks again while HTTP/2 streams are in flight. */
  private void closeIdle(CompletableFuture<Void> done) {
    boolean streamsLeft = false;
    for (EndPoint ep : getConnectedEndPoints()) {
      Connection c = ep.getConnection();
      if (c instanceof HttpConnection h && betweenRequests(h)) {
        ep.close();
      } else if (c instanceof HTTP2Connection h2) {
        HTTP2Session s = h2.getSession();
        if (s.getStreamCount() == 0) {
          s.close(ErrorCode.NO_ERROR.code, "server stopping", Callback.from(ep::close));
        } else {
          streamsLeft = true;
        }
      }
    }
    if (streamsLeft && !done.isDone() && isRunning()) {
      getScheduler().schedule(() -> closeIdle(done), RECHECK_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Whether {@code h} waits for its next request: none in progress, nothing of the next one
   * received. The same test Jetty makes before closing a connection whose idle timeout expired.
   */
  private static boolean betweenRequests(HttpConnection h) {
    return h.getHttpChannel().getRequest() == null && h.isRequestBufferEmpty();
  }
}
