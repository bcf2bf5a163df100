package dev.progcache.server;

import dev.progcache.testing.TextLog;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A {@link CacheServer} on 127.0.0.1 over a directory, started by the test when it has its tokens,
 * and an HTTP/1.1 client for it. Close it after each test.
 */
public final class LoopbackServer implements AutoCloseable {
  public final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final long maxObject;
  private @Nullable CacheServer server;
  private @Nullable Path store;
  private @Nullable Path tokens;

  /**
   * @param maxObject the server's object size limit
   */
  public LoopbackServer(long maxObject) {
    this.maxObject = maxObject;
  }

  /** Starts the server storing under {@code store}, with {@code tokens} (null: none). */
  public void start(Path store, @Nullable Path tokens) throws Exception {
    start(store, tokens, 0);
  }

  private void start(Path store, @Nullable Path tokens, int port) throws Exception {
    ServeConfig.Limits l =
        new ServeConfig.Limits(1 << 30, maxObject, 64, Duration.ofSeconds(10), 8192, 4096);
    server =
        CacheServer.start(
            ServeConfig.onDisk("127.0.0.1", port, store, tokens, l, false), new TextLog());
    this.store = store;
    this.tokens = tokens;
  }

  /** Stops the server and starts another on the same port, directory and tokens. */
  public void restart() throws Exception {
    if (server == null || store == null) {
      throw new IllegalStateException("not started");
    }
    int port = server.port();
    server.close();
    server = null;
    start(store, tokens, port);
  }

  /** A server on 127.0.0.1 storing under {@code store}, without tokens, started. */
  public static LoopbackServer started(Path store) throws Exception {
    LoopbackServer s = new LoopbackServer(1 << 30);
    s.start(store, null);
    return s;
  }

  public URI url() {
    if (server == null) {
      throw new IllegalStateException("not started");
    }
    return server.url();
  }

  /** Stops the server (a test may do so before the end); the client stays usable. */
  public void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Override
  public void close() {
    http.shutdownNow();
    stopServer();
  }
}
