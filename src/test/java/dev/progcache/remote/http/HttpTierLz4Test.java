package dev.progcache.remote.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.progcache.cache.Entry;
import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client's reading of lz4-framed bodies. On loopback it never asks for them (compressing only
 * costs CPU there), so every build test reads plain bodies; this server sends lz4 all the same, as
 * a remote server does when asked, and the tier must take it apart exactly or refuse it.
 */
@Timeout(30)
class HttpTierLz4Test {
  private HttpServer server;
  private HttpTier tier;

  /** What the server answers for any action: the body as sent, and its declared length. */
  private final AtomicReference<byte[]> sent = new AtomicReference<>();

  private final AtomicReference<String> declared = new AtomicReference<>();
  private final AtomicReference<String> outputId = new AtomicReference<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/action/",
        ex -> {
          ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
          ex.getResponseHeaders().add("Content-Encoding", "lz4");
          ex.getResponseHeaders().add("X-Uncompressed-Length", declared.get());
          ex.getResponseHeaders().add("Go-Output-Id", outputId.get());
          LoopbackHttp.ok(ex, sent.get());
        });
    server.start();
    tier = LoopbackHttp.tier(server, null);
  }

  @AfterEach
  void stop() {
    tier.close();
    server.stop(0);
  }

  private static byte[] lz4(byte[] plain) throws IOException {
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    try (OutputStream f = new LZ4FrameOutputStream(z)) {
      f.write(plain);
    }
    return z.toByteArray();
  }

  private void answer(byte[] plain, byte[] wire, long declaredSize) throws Exception {
    sent.set(wire);
    declared.set(Long.toString(declaredSize));
    outputId.set(Key.of(MessageDigest.getInstance("SHA-256").digest(plain)).hex());
  }

  /** Reads what the tier hands over, whole. */
  private static final class Capture implements dev.progcache.remote.RemoteTier.ObjectSink {
    byte[] bytes;
    long size;

    @Override
    public Hit store(Key output, long size, java.io.InputStream body) throws IOException {
      this.size = size;
      this.bytes = body.readAllBytes();
      return new Hit(new Entry(output, size, 0), Path.of("unused"));
    }
  }

  private static Key action() throws Exception {
    return Key.of(
        MessageDigest.getInstance("SHA-256").digest("an action".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void lz4Body_isDecodedToTheDeclaredBytes() throws Exception {
    byte[] plain = "a compressible build output ".repeat(5_000).getBytes(StandardCharsets.UTF_8);
    byte[] wire = lz4(plain);
    assertThat(wire.length).isLessThan(plain.length / 10);
    answer(plain, wire, plain.length);
    Capture c = new Capture();
    assertThat(tier.get(action(), c)).isPresent();
    assertThat(c.size).isEqualTo(plain.length);
    assertThat(c.bytes).isEqualTo(plain);
  }

  @Test
  void lz4Body_cutShort_orLongerThanDeclared_isRefused() throws Exception {
    byte[] plain = "another output, ".repeat(4_000).getBytes(StandardCharsets.UTF_8);
    byte[] wire = lz4(plain);
    answer(plain, Arrays.copyOf(wire, wire.length / 2), plain.length);
    assertThatThrownBy(() -> tier.get(action(), new Capture())).isInstanceOf(IOException.class);
    answer(plain, wire, plain.length - 1);
    assertThatThrownBy(() -> tier.get(action(), new Capture())).isInstanceOf(IOException.class);
    answer(plain, wire, plain.length + 1);
    assertThatThrownBy(() -> tier.get(action(), new Capture())).isInstanceOf(IOException.class);
  }
}
