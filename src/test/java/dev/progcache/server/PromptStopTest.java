package dev.progcache.server;

import static dev.progcache.testing.Hashes.action;
import static dev.progcache.testing.Hashes.sha;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.TextLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping {@code serve} is prompt and graceful: idle kept-alive connections are closed at once, a
 * request in flight finishes and then its connection closes, and the port refuses afterwards.
 */
@Timeout(30)
class PromptStopTest {
  /** Well under the 5 s a stop used to wait for each idle kept-alive connection. */
  private static final long PROMPT_MILLIS = 3_000;

  @TempDir Path tmp;
  private final TextLog err = new TextLog();
  private CacheServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private CacheServer start(boolean metricsPort) throws Exception {
    ServeConfig.Limits l =
        new ServeConfig.Limits(1 << 30, 1 << 20, 64, Duration.ofSeconds(10), 8192, 4096);
    ServeConfig cfg = ServeConfig.onDisk("127.0.0.1", 0, tmp.resolve("store"), null, l, false);
    if (metricsPort) {
      cfg = cfg.withMetricsListen(InetSocketAddress.createUnresolved("127.0.0.1", 0));
    }
    server = CacheServer.start(cfg, err);
    return server;
  }

  /** Stops the server, returning how long it took in milliseconds. */
  private long timedClose() {
    long t0 = System.nanoTime();
    server.close();
    server = null;
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /** A connection that sent a GET, read its whole answer, and stays open, kept alive. */
  private static Socket keptAlive(int port, String path) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(10_000);
    s.getOutputStream()
        .write(
            ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
    String head = head(s.getInputStream());
    assertThat(head).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("connection: close");
    s.getInputStream().readNBytes(contentLength(head));
    return s;
  }

  /** The status line and headers of a response, up to the blank line. */
  private static String head(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      b.write(c);
      if (b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        break;
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        return Integer.parseInt(line.substring(line.indexOf(':') + 1).strip());
      }
    }
    throw new AssertionError("no Content-Length in " + head);
  }

  /**
   * Whether a connection to {@code port} is refused (the server stopped listening), or reset: a
   * connection that was still in the listener's backlog when it closed. A connect that times out is
   * not refused: the listener is still there, its backlog full of the earlier probes' connections
   * that nobody accepts while the server stops (seen on a loaded machine).
   */
  private static boolean refuses(int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      return false;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (ConnectException e) {
      return true;
    } catch (java.net.SocketException e) {
      if (String.valueOf(e.getMessage()).contains("reset")) {
        return true;
      }
      throw e;
    }
  }

  @Test
  void stop_withIdleKeptAliveConnectionsOnBothPorts_takesWellUnderASecondOrTwo() throws Exception {
    start(true);
    int port = server.port();
    try (Socket main = keptAlive(port, "/healthz");
        Socket metrics = keptAlive(server.metricsPort(), "/metrics")) {
      long took = timedClose();
      assertThat(took).as("stop took %d ms", took).isLessThan(PROMPT_MILLIS);
      assertThat(main.getInputStream().read()).as("idle connection closed").isEqualTo(-1);
      assertThat(metrics.getInputStream().read()).as("idle metrics connection").isEqualTo(-1);
    }
    assertThat(refuses(port)).as("the port refuses after the stop").isTrue();
  }

  @Test
  void stop_withIdleH2cConnection_isPrompt() throws Exception {
    start(false);
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    try {
      HttpRequest get = HttpRequest.newBuilder(server.url().resolve("healthz")).GET().build();
      h2.send(get, HttpResponse.BodyHandlers.discarding());
      HttpResponse<Void> r = h2.send(get, HttpResponse.BodyHandlers.discarding());
      assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
      long took = timedClose();
      assertThat(took).as("stop took %d ms", took).isLessThan(PROMPT_MILLIS);
    } finally {
      h2.shutdownNow();
    }
  }

  @Test
  void stop_duringAnUpload_letsItFinish_closesIdleConnectionsAtOnce_thenRefuses() throws Exception {
    start(false);
    int port = server.port();
    byte[] body = new byte[200_000];
    new Random(3).nextBytes(body);
    String a = action(10);
    try (Socket idle = keptAlive(port, "/healthz");
        Socket upload = new Socket("127.0.0.1", port)) {
      upload.setSoTimeout(10_000);
      var out = upload.getOutputStream();
      out.write(
          ("PUT /"
                  + a
                  + "/"
                  + sha(body)
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      // the server asks for the body once the handler reads it: the request is in flight
      assertThat(head(upload.getInputStream())).startsWith("HTTP/1.1 100");
      out.write(body, 0, body.length / 2);
      out.flush();

      CompletableFuture<Long> stopped = CompletableFuture.supplyAsync(this::timedClose);
      long t0 = System.nanoTime();
      while (!refuses(port)) {
        assertThat(System.nanoTime() - t0).as("the stop began").isLessThan(10_000_000_000L);
        Thread.onSpinWait();
      }
      assertThat(idle.getInputStream().read())
          .as("the idle connection is closed while the upload is still in flight")
          .isEqualTo(-1);
      assertThat(stopped).as("the stop waits for the upload").isNotDone();

      out.write(body, body.length / 2, body.length - body.length / 2);
      out.flush();
      String answer = head(upload.getInputStream());
      assertThat(answer).startsWith("HTTP/1.1 204").containsIgnoringCase("connection: close");
      assertThat(upload.getInputStream().read()).as("then its connection ends").isEqualTo(-1);
      long took = stopped.get(PROMPT_MILLIS, TimeUnit.MILLISECONDS);
      assertThat(took).isLessThan(10_000);
    }
    assertThat(refuses(port)).isTrue();
    start(false);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try {
      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(server.url().resolve("action/" + a))
                  .header("Want-Object", "1")
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.body()).as("the upload was stored").isEqualTo(body);
    } finally {
      http.shutdownNow();
    }
  }
}
