package dev.progcache.remote.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client side of the prefetch requests against a server on loopback that misbehaves. */
@Timeout(30)
class HttpPrefetchTest {
  private HttpServer server;
  private HttpTier tier;
  private final AtomicReference<byte[]> manifestBody = new AtomicReference<>(new byte[0]);
  private final AtomicReference<byte[]> batchBody = new AtomicReference<>(new byte[0]);

  @AfterEach
  void stop() {
    if (tier != null) {
      tier.close();
    }
    if (server != null) {
      server.stop(0);
    }
  }

  private void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/manifest/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          byte[] b = manifestBody.get();
          ex.sendResponseHeaders(200, b.length == 0 ? -1 : b.length);
          try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
          }
        });
    server.createContext(
        "/batch",
        ex -> {
          ex.getRequestBody().readAllBytes();
          byte[] b = batchBody.get();
          ex.getResponseHeaders().add("Content-Type", BatchFrames.CONTENT_TYPE);
          ex.sendResponseHeaders(200, b.length);
          try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
          }
        });
    server.start();
    tier =
        new HttpTier(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"),
            (String) null,
            HttpTier.Settings.DEFAULT);
  }

  static Key id(String s) throws Exception {
    return Key.of(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void manifest_hugeOrGarbage_isIgnoredOrFiltered() throws Exception {
    start();
    Key ctx = id("ctx");
    byte[] huge = new byte[(BatchFrames.MAX_MANIFEST + 2) * (BatchFrames.LINE + 1)];
    java.util.Arrays.fill(huge, (byte) '\n');
    manifestBody.set(huge);
    assertThat(tier.manifest(ctx)).as("over the byte cap: refused whole").isEmpty();

    StringBuilder many = new StringBuilder();
    for (int i = 0; i <= BatchFrames.MAX_MANIFEST; i++) {
      many.append(id("m" + i).hex()).append('\n');
    }
    manifestBody.set(many.toString().getBytes(StandardCharsets.US_ASCII));
    assertThat(tier.manifest(ctx)).as("over the id cap: refused whole").isEmpty();

    Key good = id("good");
    manifestBody.set(
        ("\u0000\u0001binary\n" + "Z".repeat(64) + "\n" + good.hex() + "\r\n" + good.hex() + "\n" + "1".repeat(65))
            .getBytes(StandardCharsets.ISO_8859_1));
    assertThat(tier.manifest(ctx)).contains(List.of(good));
  }

  @Test
  void batch_objectNotAskedFor_orMalformedFrame_fails_withoutStoringAnything() throws Exception {
    start();
    Key asked = id("asked");
    Key other = id("other");
    byte[] body = "x".getBytes(StandardCharsets.UTF_8);
    Key out = Key.of(MessageDigest.getInstance("SHA-256").digest(body));
    List<Key> stored = new ArrayList<>();

    ByteArrayOutputStream b = new ByteArrayOutputStream();
    BatchFrames.writeHeader(b, other, out, 1);
    b.write(body);
    BatchFrames.writeEnd(b);
    batchBody.set(b.toByteArray());
    assertThatThrownBy(() -> tier.getMany(List.of(asked), (a, o, s, in) -> record(stored, a)))
        .hasMessageContaining("not asked for");

    batchBody.set(("x".repeat(500) + "\n").getBytes(StandardCharsets.US_ASCII));
    assertThatThrownBy(() -> tier.getMany(List.of(asked), (a, o, s, in) -> record(stored, a)))
        .isInstanceOf(IOException.class);

    ByteArrayOutputStream cut = new ByteArrayOutputStream();
    BatchFrames.writeHeader(cut, asked, out, 1000);
    cut.write(body);
    batchBody.set(cut.toByteArray());
    assertThatThrownBy(
            () ->
                tier.getMany(
                    List.of(asked),
                    (a, o, s, in) -> {
                      in.readAllBytes();
                      return record(stored, a);
                    }))
        .isInstanceOf(IOException.class);
    assertThat(stored).isEmpty();
  }

  private static Hit record(List<Key> stored, Key a) {
    stored.add(a);
    return new Hit(new dev.progcache.cache.Entry(a, 0, 0), Path.of("/nonexistent"));
  }

  @Test
  void serverWithoutPrefetchRequests_fallsBackToSingleGets() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          ex.sendResponseHeaders(404, -1);
          ex.close();
        });
    server.start();
    tier =
        new HttpTier(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"),
            (String) null,
            HttpTier.Settings.DEFAULT);
    assertThat(tier.manifest(id("c"))).isEqualTo(Optional.empty());
    List<Key> stored = new ArrayList<>();
    tier.getMany(List.of(id("a"), id("b")), (a, o, s, in) -> record(stored, a));
    assertThat(stored).isEmpty();
    tier.addToManifest(id("c"), List.of(id("a"))); // quietly nothing
  }
}
