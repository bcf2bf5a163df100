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
 * kept alive between requests, and lets each connection with a request in flight finish it, then
 * closes it too (looking again every {@value #RECHECK_MILLIS} ms). An HTTP/2 connection is told
 * GOAWAY before it is closed. Requests that arrive during the stop are refused by Jetty (503).
 *
 * <p>Without this, a stop waited for every idle kept-alive connection to reach the shutdown idle
 * timeout, however idle the server was. A request that arrives on an idle connection at the very
 * moment it is closed sees the connection end before any answer, as at any keep-alive timeout; HTTP
 * clients send such a request again on a new connection (the helper does).
 *
 * <p>Thread-safe, like {@link ServerConnector}.
 */
public final class PromptStopConnector extends ServerConnector {
  private static final long RECHECK_MILLIS = 50;

  /** A connector of {@code server} with one acceptor, one selector and {@code factories}. */
  public PromptStopConnector(Server server, ConnectionFactory... factories) {
    super(server, 1, 1, factories);
  }

  @Override
  public CompletableFuture<Void> shutdown() {
    CompletableFuture<Void> done = super.shutdown(); // first stop accepting
    closeIdle(done);
    return done;
  }

  /** Closes the connections between requests; looks again while some are still busy. */
  private void closeIdle(CompletableFuture<Void> done) {
    boolean busy = false;
    for (EndPoint ep : getConnectedEndPoints()) {
      if (ep.isOpen() && !closeIfIdle(ep)) {
        busy = true;
      }
    }
    if (busy && !done.isDone() && isRunning()) {
      getScheduler().schedule(() -> closeIdle(done), RECHECK_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  /** Closes {@code ep} unless a request is in flight on it; returns whether it did. */
  private static boolean closeIfIdle(EndPoint ep) {
    Connection c = ep.getConnection();
    if (c instanceof HttpConnection h) {
      // the test Jetty makes before closing a connection whose idle timeout expired: no request
      // in progress, nothing of the next one received
      if (h.getHttpChannel().getRequest() != null || !h.isRequestBufferEmpty()) {
        return false;
      }
      ep.close();
      return true;
    }
    if (c instanceof HTTP2Connection h2) {
      HTTP2Session s = h2.getSession();
      if (s.getStreamCount() > 0) {
        return false;
      }
      s.close(ErrorCode.NO_ERROR.code, "server stopping", Callback.from(ep::close));
      return true;
    }
    return false; // another protocol: Jetty's shutdown idle timeout ends it
  }
}
