package dev.progcache.server.http;

import static dev.progcache.testing.Hashes.sha;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Key;
import dev.progcache.remote.http.HttpTier;
import dev.progcache.server.LoopbackServer;
import dev.progcache.server.store.Manifests;
import dev.progcache.wire.BatchFrames;
import dev.progcache.wire.Manifest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The batch and manifest requests of a real server on loopback. */
@Timeout(120)
class PrefetchEndpointsTest {
  @TempDir Path tmp;
  private final LoopbackServer server = new LoopbackServer(1 << 20);

  @AfterEach
  void stop() {
    server.close();
  }

  private void start(Path tokens) throws Exception {
    server.start(tmp.resolve("store"), tokens);
  }

  private static Key id(String s) throws Exception {
    return Key.of(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  private HttpResponse<byte[]> send(String method, String path, byte[] body, String token)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(server.url().resolve(path))
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return server.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private void putObject(String prefix, Key action, byte[] body, String token) throws Exception {
    Key out = Key.of(MessageDigest.getInstance("SHA-256").digest(body));
    assertThat(send("PUT", prefix + action.hex() + "/" + out.hex(), body, token).statusCode())
        .isEqualTo(204);
  }

  /** The frames of a batch response: action → body. */
  private static Map<Key, byte[]> frames(byte[] response) throws Exception {
    Map<Key, byte[]> out = new HashMap<>();
    InputStream in = new ByteArrayInputStream(response);
    for (Optional<BatchFrames.Header> h = BatchFrames.readHeader(in);
        h.isPresent();
        h = BatchFrames.readHeader(in)) {
      try (InputStream b = BatchFrames.body(in, h.get().size())) {
        byte[] bytes = b.readAllBytes();
        assertThat(MessageDigest.getInstance("SHA-256").digest(bytes))
            .isEqualTo(h.get().output().bytes());
        out.put(h.get().action(), bytes);
      }
    }
    assertThat(in.read()).as("nothing after the end marker").isEqualTo(-1);
    return out;
  }

  @Test
  void batch_returnsEveryHitInOneResponse_andLeavesOutMisses() throws Exception {
    start(null);
    List<Key> asked = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Key a = id("a" + i);
      asked.add(a);
      if (i % 4 != 0) {
        putObject("", a, ("body " + i).repeat(i * 50).getBytes(StandardCharsets.UTF_8), null);
      }
    }
    HttpResponse<byte[]> r = send("POST", "batch", BatchFrames.ids(asked), null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains(BatchFrames.CONTENT_TYPE);
    Map<Key, byte[]> got = frames(r.body());
    assertThat(got).hasSize(30);
    for (int i = 0; i < 40; i++) {
      if (i % 4 != 0) {
        assertThat(new String(got.get(asked.get(i)), StandardCharsets.UTF_8))
            .isEqualTo(("body " + i).repeat(i * 50));
      } else {
        assertThat(got).doesNotContainKey(asked.get(i));
      }
    }
  }

  @Test
  void batch_bodiesLargerThanTheWriteBuffer_arriveWhole_plainAndLz4() throws Exception {
    start(null);
    List<Key> asked = new ArrayList<>();
    Map<Key, byte[]> stored = new HashMap<>();
    java.util.Random rnd = new java.util.Random(7);
    int[] sizes = {0, 1, 65_535, 65_536, 65_537, 300_000, 17, 200_001};
    for (int i = 0; i < sizes.length; i++) {
      Key a = id("big" + i);
      byte[] body = new byte[sizes[i]];
      rnd.nextBytes(body);
      putObject("", a, body, null);
      asked.add(a);
      stored.put(a, body);
    }
    HttpResponse<byte[]> plain = send("POST", "batch", BatchFrames.ids(asked), null);
    assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
    Map<Key, byte[]> got = frames(plain.body());
    HttpRequest lz4 =
        HttpRequest.newBuilder(server.url().resolve("batch"))
            .header("Accept-Encoding", "lz4")
            .POST(HttpRequest.BodyPublishers.ofByteArray(BatchFrames.ids(asked)))
            .build();
    HttpResponse<byte[]> z = server.http.send(lz4, HttpResponse.BodyHandlers.ofByteArray());
    assertThat(z.headers().firstValue("Content-Encoding")).contains("lz4");
    byte[] unz;
    try (InputStream in =
        new net.jpountz.lz4.LZ4FrameInputStream(new ByteArrayInputStream(z.body()))) {
      unz = in.readAllBytes();
    }
    Map<Key, byte[]> gotZ = frames(unz);
    for (Key a : asked) {
      assertThat(got.get(a)).isEqualTo(stored.get(a));
      assertThat(gotZ.get(a)).isEqualTo(stored.get(a));
    }
  }

  @Test
  void batch_overTheIdCap_is413() throws Exception {
    start(null);
    List<Key> many = new ArrayList<>();
    for (int i = 0; i <= BatchFrames.MAX_BATCH; i++) {
      many.add(id("x" + i));
    }
    assertThat(send("POST", "batch", BatchFrames.ids(many), null).statusCode()).isEqualTo(413);
  }

  @Test
  void batch_namespaceScopedToken_cannotReadAnotherNamespace() throws Exception {
    String ta = "token-a-0123456789";
    String tb = "token-b-0123456789";
    Path tokens = tmp.resolve("tokens");
    Files.writeString(
        tokens,
        "sha256:"
            + sha(ta.getBytes(StandardCharsets.UTF_8))
            + " read,write ns=team-a\n"
            + "sha256:"
            + sha(tb.getBytes(StandardCharsets.UTF_8))
            + " read,write ns=team-b\n");
    start(tokens);
    Key a = id("secret");
    putObject("", a, "team a's object".getBytes(StandardCharsets.UTF_8), ta);
    byte[] ask = BatchFrames.ids(List.of(a));

    assertThat(frames(send("POST", "batch", ask, ta).body())).containsKey(a);
    assertThat(send("POST", "ns/team-a/batch", ask, tb).statusCode()).isEqualTo(403);
    HttpResponse<byte[]> own = send("POST", "batch", ask, tb);
    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(frames(own.body())).isEmpty();
    assertThat(send("POST", "batch", ask, null).statusCode()).isEqualTo(401);
    // manifests follow the same rules
    Key ctx = id("context");
    assertThat(send("POST", "manifest/" + ctx.hex(), ask, ta).statusCode()).isEqualTo(204);
    assertThat(send("GET", "ns/team-a/manifest/" + ctx.hex(), new byte[0], tb).statusCode())
        .isEqualTo(403);
    assertThat(send("GET", "manifest/" + ctx.hex(), new byte[0], tb).statusCode()).isEqualTo(404);
    assertThat(send("GET", "manifest/" + ctx.hex(), new byte[0], ta).statusCode()).isEqualTo(200);
  }

  @Test
  void manifest_twoConcurrentRunners_mergeToTheUnion() throws Exception {
    start(null);
    Key ctx = id("ctx");
    List<List<Key>> runners = List.of(new ArrayList<>(), new ArrayList<>());
    Set<Key> all = new HashSet<>();
    for (int i = 0; i < 600; i++) {
      Key k = id("id" + i);
      runners.get(i % 2).add(k);
      all.add(k);
    }
    List<Thread> ts = new ArrayList<>();
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (List<Key> ids : runners) {
      ts.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      for (int i = 0; i < ids.size(); i += 20) { // many small merges, interleaved
                        List<Key> part = ids.subList(i, Math.min(ids.size(), i + 20));
                        int s =
                            send("POST", "manifest/" + ctx.hex(), BatchFrames.ids(part), null)
                                .statusCode();
                        assertThat(s).isEqualTo(204);
                      }
                    } catch (Throwable e) {
                      failures.add(e);
                    }
                  }));
    }
    for (Thread t : ts) {
      t.join();
    }
    assertThat(failures).isEmpty();
    HttpResponse<byte[]> r = send("GET", "manifest/" + ctx.hex(), new byte[0], null);
    assertThat(r.statusCode()).isEqualTo(200);
    List<Key> got =
        BatchFrames.parseIds(new ByteArrayInputStream(r.body()), BatchFrames.MAX_MANIFEST)
            .orElseThrow();
    assertThat(got).hasSize(600).containsExactlyInAnyOrderElementsOf(all);
  }

  @Test
  void manifest_hostileUploads_areRefusedOrSkipped() throws Exception {
    start(null);
    Key ctx = id("hostile");
    assertThat(send("GET", "manifest/" + ctx.hex(), new byte[0], null).statusCode()).isEqualTo(404);
    assertThat(send("POST", "manifest/not-hex", new byte[0], null).statusCode()).isEqualTo(400);
    byte[] huge = new byte[(BatchFrames.MAX_MANIFEST + 1) * (BatchFrames.LINE + 1) + 1];
    java.util.Arrays.fill(huge, (byte) 'a');
    // the server answers 413 from the headers, without reading the body, and closes the
    // connection: with Expect: 100-continue the body is never sent, so the answer cannot be lost
    // to a reset while the client is still writing; its own client, so no later request reuses
    // the closed connection
    try (HttpClient once = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      HttpRequest r413 =
          HttpRequest.newBuilder(server.url().resolve("manifest/" + ctx.hex()))
              .expectContinue(true)
              .POST(HttpRequest.BodyPublishers.ofByteArray(huge))
              .build();
      assertThat(once.send(r413, HttpResponse.BodyHandlers.ofByteArray()).statusCode())
          .isEqualTo(413);
    }
    Key good = id("good");
    String mixed =
        "garbage\n"
            + "zz".repeat(32)
            + "\n"
            + good.hex()
            + "\n\u0000\u00ff\n"
            + "a".repeat(70)
            + "\n";
    assertThat(
            send("POST", "manifest/" + ctx.hex(), mixed.getBytes(StandardCharsets.ISO_8859_1), null)
                .statusCode())
        .isEqualTo(204);
    HttpResponse<byte[]> r = send("GET", "manifest/" + ctx.hex(), new byte[0], null);
    assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo(good.hex() + "\n");
  }

  @Test
  void manifests_dropIdsNotReportedForMaxAge_andCapTheCount() throws Exception {
    long[] now = {TimeUnit.DAYS.toMillis(20_000)};
    Manifests m = new Manifests(tmp.resolve("m"), () -> now[0]);
    Key ctx = id("ctx");
    Key old = id("old");
    Key kept = id("kept");
    m.merge("main", ctx, Manifest.allAsked(List.of(old, kept)));
    now[0] += TimeUnit.DAYS.toMillis(Manifests.MAX_AGE_DAYS - 1);
    m.merge("main", ctx, Manifest.allAsked(List.of(kept)));
    now[0] += TimeUnit.DAYS.toMillis(2);
    m.merge("main", ctx, Manifest.allAsked(List.of(id("new"))));
    assertThat(m.read("main", ctx).orElseThrow().ids()).containsExactly(kept, id("new"));

    List<Key> lots = new ArrayList<>();
    for (int i = 0; i < Manifests.MAX_IDS + 5; i++) {
      lots.add(id("many" + i));
    }
    now[0] += TimeUnit.DAYS.toMillis(1);
    m.merge("main", ctx, Manifest.allAsked(lots));
    List<Key> after = m.read("main", ctx).orElseThrow().ids();
    assertThat(after).hasSize(Manifests.MAX_IDS);
    assertThat(after).doesNotContain(kept); // the least recently reported went first
  }

  @Test
  void manifest_listsWhatGoAskedForFirst_andSettles_overTheHelpersClient() throws Exception {
    start(null);
    Key ctx = id("ctx");
    Key asked = id("asked");
    Key stored = id("stored");
    Key older = id("from an older helper");
    try (HttpTier tier = new HttpTier(HttpTier.Config.of(server.url(), (String) null))) {
      tier.addToManifest(ctx, new Manifest(List.of(asked, stored), 1, false)); // a cold build
      assertThat(tier.manifest(ctx)).contains(new Manifest(List.of(asked, stored), 1, false));

      // a report without the headers says nothing of asks: its ids are listed as only stored
      assertThat(
              send("POST", "manifest/" + ctx.hex(), BatchFrames.ids(List.of(older, asked)), null)
                  .statusCode())
          .isEqualTo(204);
      assertThat(tier.manifest(ctx))
          .contains(new Manifest(List.of(asked, stored, older), 1, false));

      // a cached build asked for what the cold one only stored, and found it: settled
      tier.addToManifest(ctx, new Manifest(List.of(stored), 1, true));
      assertThat(tier.manifest(ctx)).contains(new Manifest(List.of(asked, stored, older), 2, true));
      tier.addToManifest(ctx, new Manifest(List.of(older), 0, false));
      assertThat(tier.manifest(ctx))
          .as("an id once asked for stays so; settled stays settled")
          .contains(new Manifest(List.of(asked, stored, older), 2, true));
    }
    HttpResponse<byte[]> r = send("GET", "manifest/" + ctx.hex(), new byte[0], null);
    assertThat(r.headers().firstValue(BatchFrames.ASKED)).contains("2");
    assertThat(r.headers().firstValue(BatchFrames.SETTLED)).contains("1");
  }

  @Test
  void manifests_writtenBeforeAsksWereKept_listEverythingAsOnlyStored() throws Exception {
    long today = 20_000;
    Manifests m = new Manifests(tmp.resolve("m"), () -> TimeUnit.DAYS.toMillis(today));
    Key ctx = id("ctx");
    Path f = tmp.resolve("m").resolve("main").resolve(ctx.hex());
    Files.createDirectories(f.getParent());
    Files.writeString(
        f, id("a").hex() + " " + today + "\n" + id("b").hex() + " " + today + "\nsettled x\n");
    assertThat(m.read("main", ctx)).contains(new Manifest(List.of(id("a"), id("b")), 0, false));
    m.merge("main", ctx, new Manifest(List.of(id("b")), 1, true));
    assertThat(m.read("main", ctx)).contains(new Manifest(List.of(id("b"), id("a")), 1, true));
    assertThat(Files.readString(f))
        .isEqualTo(
            "settled "
                + today
                + "\n"
                + id("a").hex()
                + " "
                + today
                + " s\n"
                + id("b").hex()
                + " "
                + today
                + " a\n");
  }
}
