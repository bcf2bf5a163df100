package dev.progcache.remote.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.wire.BatchFrames;
import dev.progcache.wire.Manifest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
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
  private final AtomicReference<Integer> batchStatus = new AtomicReference<>(200);
  private final AtomicReference<String> batchLocation = new AtomicReference<>();
  private final List<String> batchAuth = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<String> batchIds = new java.util.concurrent.CopyOnWriteArrayList<>();

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
    start(null);
  }

  private void start(@org.jspecify.annotations.Nullable String token) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/manifest/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          LoopbackHttp.ok(ex, manifestBody.get());
        });
    server.createContext(
        "/batch",
        ex -> {
          batchIds.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.US_ASCII));
          batchAuth.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
          int status = batchStatus.get();
          if (status != 200) {
            if (batchLocation.get() != null) {
              ex.getResponseHeaders().add("Location", batchLocation.get());
            }
            ex.getResponseHeaders().add("Retry-After", "7");
            ex.sendResponseHeaders(status, -1);
            ex.close();
            return;
          }
          ex.getResponseHeaders().add("Content-Type", BatchFrames.CONTENT_TYPE);
          LoopbackHttp.ok(ex, batchBody.get());
        });
    server.start();
    tier = LoopbackHttp.tier(server, token);
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
        ("\u0000\u0001binary\n"
                + "Z".repeat(64)
                + "\n"
                + good.hex()
                + "\r\n"
                + good.hex()
                + "\n"
                + "1".repeat(65))
            .getBytes(StandardCharsets.ISO_8859_1));
    assertThat(tier.manifest(ctx))
        .as("no headers: a server that keeps no asks")
        .contains(Manifest.allAsked(List.of(good)));
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
    tier = LoopbackHttp.tier(server, null);
    assertThat(tier.manifest(id("c"))).isEqualTo(Optional.empty());
    List<Key> stored = new ArrayList<>();
    tier.getMany(List.of(id("a"), id("b")), (a, o, s, in) -> record(stored, a));
    assertThat(stored).isEmpty();
    tier.addToManifest(id("c"), Manifest.allAsked(List.of(id("a")))); // quietly nothing
  }

  @Test
  void batch_sendsTheIdsAndToken_andHandsOverEveryFrame() throws Exception {
    start("s3cret-token");
    byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
    Key out = Key.of(MessageDigest.getInstance("SHA-256").digest(body));
    Key a = id("a");
    Key b = id("b");
    ByteArrayOutputStream frames = new ByteArrayOutputStream();
    BatchFrames.writeHeader(frames, a, out, body.length);
    frames.write(body);
    BatchFrames.writeEnd(frames);
    batchBody.set(frames.toByteArray());
    List<Key> stored = new ArrayList<>();
    for (int round = 0; round < 3; round++) { // the connection is kept and reused between them
      tier.getMany(
          List.of(a, b),
          (k, o, s, in) -> {
            assertThat(in.readAllBytes()).isEqualTo(body);
            return record(stored, k);
          });
    }
    assertThat(stored).containsExactly(a, a, a);
    assertThat(batchIds).allMatch(ids -> ids.equals(a.hex() + "\n" + b.hex() + "\n"));
    assertThat(batchAuth).containsOnly("Bearer s3cret-token");
  }

  @Test
  void batch_denied_throttled_orRedirected_isARemoteError_andTheTokenStaysHome() throws Exception {
    start("s3cret-token");
    List<Key> stored = new ArrayList<>();
    batchStatus.set(401);
    assertThatThrownBy(() -> tier.getMany(List.of(id("a")), (k, o, s, in) -> record(stored, k)))
        .isInstanceOfSatisfying(
            dev.progcache.remote.RemoteException.class,
            e ->
                assertThat(e.kind())
                    .isEqualTo(dev.progcache.remote.RemoteException.Kind.UNAUTHENTICATED));
    batchStatus.set(403);
    assertThatThrownBy(() -> tier.getMany(List.of(id("a")), (k, o, s, in) -> record(stored, k)))
        .isInstanceOfSatisfying(
            dev.progcache.remote.RemoteException.class,
            e ->
                assertThat(e.kind())
                    .isEqualTo(dev.progcache.remote.RemoteException.Kind.DENIED_READ));
    batchStatus.set(429);
    assertThatThrownBy(() -> tier.getMany(List.of(id("a")), (k, o, s, in) -> record(stored, k)))
        .isInstanceOfSatisfying(
            dev.progcache.remote.RemoteException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(dev.progcache.remote.RemoteException.Kind.THROTTLED);
              assertThat(e.retryAfter()).contains(java.time.Duration.ofSeconds(7));
            });

    HttpServer elsewhere = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    elsewhere.createContext(
        "/",
        ex -> {
          seen.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    elsewhere.start();
    try {
      batchStatus.set(307);
      batchLocation.set("http://127.0.0.1:" + elsewhere.getAddress().getPort() + "/batch");
      assertThatThrownBy(() -> tier.getMany(List.of(id("a")), (k, o, s, in) -> record(stored, k)))
          .isInstanceOf(dev.progcache.remote.RemoteException.class)
          .hasMessageContaining("307");
      assertThat(seen).as("the redirect was not followed").isEmpty();
    } finally {
      elsewhere.stop(0);
    }
    assertThat(stored).isEmpty();
  }
}
