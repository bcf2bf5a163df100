package dev.progcache.remote.http;

import static dev.progcache.testing.Hashes.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.cache.Entry;
import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.server.LoopbackServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tier whose kept-alive connections were closed by a server that stopped and started again on the
 * same port: every request goes on, on a new connection, without an error.
 */
@Timeout(30)
class ServerRestartTierTest {
  @TempDir Path tmp;
  private final LoopbackServer server = new LoopbackServer(1 << 20);

  @AfterEach
  void stop() {
    server.close();
  }

  private static final class Capture implements dev.progcache.remote.RemoteTier.ObjectSink {
    byte[] bytes;

    @Override
    public Hit store(Key output, long size, InputStream body) throws IOException {
      bytes = body.readAllBytes();
      return new Hit(new Entry(output, size, 0), Path.of("unused"));
    }
  }

  private Path file(String name, byte[] body) throws IOException {
    return Files.write(tmp.resolve(name), body);
  }

  @Test
  void get_afterServerRestart_onAPooledConnection_isAHit() throws Exception {
    server.start(tmp.resolve("srv"), null);
    HttpTier tier = new HttpTier(HttpTier.Config.of(server.url(), (String) null));
    byte[] body = "kept across a restart".getBytes(StandardCharsets.UTF_8);
    Key action = key("restart action");
    tier.put(action, key(body), body.length, file("body", body));
    assertThat(tier.get(key("absent"), new Capture())).isEmpty(); // the connection is pooled

    server.restart();

    Capture c = new Capture();
    assertThat(tier.get(action, c)).as("a hit, not an error").isPresent();
    assertThat(c.bytes).isEqualTo(body);
  }

  @Test
  void putAndBatch_afterServerRestart_onPooledConnections_succeed() throws Exception {
    server.start(tmp.resolve("srv"), null);
    HttpTier tier = new HttpTier(HttpTier.Config.of(server.url(), (String) null));
    byte[] first = "first".getBytes(StandardCharsets.UTF_8);
    tier.put(key("a1"), key(first), first.length, file("first", first));
    assertThat(tier.get(key("a1"), new Capture())).isPresent();

    server.restart();

    byte[] second = "second".getBytes(StandardCharsets.UTF_8);
    tier.put(key("a2"), key(second), second.length, file("second", second));

    server.restart();

    List<Key> got = new ArrayList<>();
    tier.getMany(
        List.of(key("a1"), key("a2")),
        (action, output, size, body) -> {
          got.add(action);
          body.readAllBytes();
          return new Hit(new Entry(output, size, 0), Path.of("unused"));
        });
    assertThat(got).containsExactlyInAnyOrder(key("a1"), key("a2"));
    Optional<Hit> h = tier.get(key("a2"), new Capture());
    assertThat(h).isPresent();
  }

  @Test
  void put_toAServerThatAlwaysDropsTheConnection_isSentABoundedNumberOfTimes() throws Exception {
    AtomicInteger connections = new AtomicInteger();
    try (ServerSocket dropping = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread.ofVirtual()
          .start(
              () -> {
                while (!dropping.isClosed()) {
                  try (Socket s = dropping.accept()) {
                    connections.incrementAndGet();
                    s.getInputStream().read(); // the request begins; then the connection ends
                  } catch (IOException e) {
                    // closed at the end of the test
                  }
                }
              });
      HttpTier tier =
          new HttpTier(
              HttpTier.Config.of(
                  URI.create("http://127.0.0.1:" + dropping.getLocalPort() + "/"), (String) null));
      byte[] body = "dropped".getBytes(StandardCharsets.UTF_8);
      assertThatThrownBy(() -> tier.put(key("d"), key(body), body.length, file("d", body)))
          .isInstanceOf(IOException.class);
      assertThat(connections.get()).isEqualTo(1 + Exchange.RESENDS);
    }
  }
}
