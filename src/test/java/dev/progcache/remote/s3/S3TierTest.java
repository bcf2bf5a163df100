package dev.progcache.remote.s3;

import static dev.progcache.testing.Hashes.key;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.disk.DiskStore;
import dev.progcache.remote.BestEffort;
import dev.progcache.remote.ReadOnly;
import dev.progcache.remote.RemoteLog;
import dev.progcache.remote.RemoteTier;
import dev.progcache.remote.TieredCache;
import dev.progcache.remote.Uploader;
import dev.progcache.testing.S3Proxy;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;

/** The S3 tier behind the same decorators as the HTTP tier, against a real s3proxy on loopback. */
@Timeout(240)
class S3TierTest {
  private static final AtomicInteger BUCKETS = new AtomicInteger();
  @TempDir static Path shared;
  private static S3Proxy s3;

  @TempDir Path tmp;
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3Proxy.start(shared.resolve("s3"));
  }

  @AfterAll
  static void stopS3() {
    if (s3 != null) {
      s3.close();
    }
  }

  private static String newBucket() {
    String b = "progcache-test-" + BUCKETS.incrementAndGet();
    s3.createBucket(b);
    return b;
  }

  private TieredCache tier(String dir, S3Location loc, Stats stats, String secret, boolean readOnly)
      throws Exception {
    DiskStore local = DiskStore.open(tmp.resolve(dir), System::currentTimeMillis, stats);
    RemoteLog log = new RemoteLog(stats, err);
    S3Tier raw =
        new S3Tier(
            loc,
            S3Tier.Settings.DEFAULT,
            log,
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(S3Proxy.ACCESS_KEY, secret)));
    RemoteTier remote =
        new BestEffort(
            raw,
            loc.describe(),
            new BestEffort.Policy(Duration.ofSeconds(20), 3, Duration.ofSeconds(30), Duration.ZERO),
            log);
    if (readOnly) {
      remote = new ReadOnly(remote, log);
    }
    return new TieredCache(local, remote, new Uploader(remote, Uploader.Limits.DEFAULT, log));
  }

  private TieredCache tier(String dir, S3Location loc, Stats stats) throws Exception {
    return tier(dir, loc, stats, S3Proxy.SECRET_KEY, false);
  }

  private static void put(TieredCache t, Key action, byte[] b) throws Exception {
    t.put(
        action,
        key(b),
        b.length,
        out -> {
          out.write(b);
          return b.length;
        });
  }

  private String errText() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void roundTrip_putInA_isHitInB_identicalBytes_oneGetPerHit() throws Exception {
    S3Location loc = s3.location(newBucket(), "team/cache");
    Random rnd = new Random(11);
    byte[][] bodies = {new byte[0], new byte[100], new byte[3 << 20]};
    for (byte[] b : bodies) {
      rnd.nextBytes(b);
    }
    Stats sa = new Stats();
    try (TieredCache a = tier("a", loc, sa)) {
      for (int i = 0; i < bodies.length; i++) {
        put(a, key(new byte[] {(byte) i}), bodies[i]);
      }
    }
    assertThat(sa.get(RemoteLog.UPLOADS)).as(errText()).isEqualTo(bodies.length);
    assertThat(sa.get(S3Tier.PUTS)).isEqualTo(bodies.length);
    String key1 = "team/cache/a/" + key(new byte[] {1}).hex();
    assertThat(s3.admin().headObject(h -> h.bucket(loc.bucket()).key(key1)).metadata())
        .containsEntry(S3Tier.META_OUTPUT, key(bodies[1]).hex())
        .containsEntry(S3Tier.META_SIZE, "100");

    Stats sb = new Stats();
    try (TieredCache b = tier("b", loc, sb)) {
      for (int i = 0; i < bodies.length; i++) {
        Optional<Hit> h = b.get(key(new byte[] {(byte) i})).get();
        assertThat(h).as("entry %d; %s", i, errText()).isPresent();
        assertThat(h.get().diskPath()).startsWith(tmp.resolve("b"));
        assertThat(Files.readAllBytes(h.get().diskPath())).isEqualTo(bodies[i]);
      }
      assertThat(b.get(key(new byte[] {99})).get()).isEmpty();
    }
    assertThat(sb.get(RemoteLog.HITS)).isEqualTo(bodies.length);
    assertThat(sb.get(RemoteLog.MISSES)).isEqualTo(1);
    assertThat(sb.get(RemoteLog.ERRORS)).isZero();
    assertThat(sb.get(S3Tier.GETS)).as("one GET per hit or miss").isEqualTo(bodies.length + 1);
    assertThat(errText()).doesNotContain(S3Proxy.SECRET_KEY);
  }

  @Test
  void verifiedReads_objectOverwrittenWithWrongBytes_isMiss_andCounted() throws Exception {
    S3Location loc = s3.location(newBucket(), "");
    byte[] honest = "honest bytes".getBytes(StandardCharsets.UTF_8);
    byte[] lying = "lying  bytes".getBytes(StandardCharsets.UTF_8);
    Key action = key(new byte[] {7});
    Stats sa = new Stats();
    try (TieredCache a = tier("a", loc, sa)) {
      put(a, action, honest);
    }
    // same metadata, same size, other bytes: only the sha256 check can tell
    String honestId = key(honest).hex();
    s3.admin()
        .putObject(
            p ->
                p.bucket(loc.bucket())
                    .key("a/" + action.hex())
                    .metadata(Map.of(S3Tier.META_OUTPUT, honestId, S3Tier.META_SIZE, "12")),
            RequestBody.fromBytes(lying));
    Stats sb = new Stats();
    try (TieredCache b = tier("b", loc, sb)) {
      assertThat(b.get(action).get()).isEmpty();
      assertThat(b.get(action).get()).isEmpty();
    }
    assertThat(sb.get(RemoteLog.CORRUPT)).isEqualTo(2);
    assertThat(sb.get(RemoteLog.HITS)).isZero();
    assertThat(errText().lines().filter(l -> l.contains("bad object")).count()).isEqualTo(1);
    try (var files = Files.walk(tmp.resolve("b"))) {
      assertThat(files.filter(Files::isRegularFile)).as("nothing stored locally").isEmpty();
    }
  }

  @Test
  void verifiedReads_sizeMetadataDisagreesWithObject_isMiss() throws Exception {
    S3Location loc = s3.location(newBucket(), "");
    byte[] body = "twelve bytes".getBytes(StandardCharsets.UTF_8);
    Key action = key(new byte[] {8});
    String bodyId = key(body).hex();
    s3.admin()
        .putObject(
            p ->
                p.bucket(loc.bucket())
                    .key("a/" + action.hex())
                    .metadata(Map.of(S3Tier.META_OUTPUT, bodyId, S3Tier.META_SIZE, "13")),
            RequestBody.fromBytes(body));
    Stats s = new Stats();
    try (TieredCache t = tier("a", loc, s)) {
      assertThat(t.get(action).get()).isEmpty();
    }
    assertThat(s.get(RemoteLog.ERRORS)).isEqualTo(1);
  }

  @Test
  void case31_accessDenied_reportedOnceWithHint_getsAreMisses() throws Exception {
    S3Location loc = s3.location(newBucket(), "");
    Stats s = new Stats();
    try (TieredCache t = tier("a", loc, s, "wrong-secret", false)) {
      for (int i = 0; i < 3; i++) {
        assertThat(t.get(key(new byte[] {(byte) i})).get()).isEmpty();
      }
      put(t, key(new byte[] {1}), new byte[] {1, 2, 3});
    }
    assertThat(s.get(RemoteLog.HITS)).isZero();
    assertThat(s.get(S3Tier.GETS)).as("reads turned off after the first denial").isEqualTo(1);
    assertThat(errText().lines().filter(l -> l.contains("refused reads")).count()).isEqualTo(1);
    assertThat(errText()).contains("AWS credentials").doesNotContain("wrong-secret");
    assertThat(s3.objects(loc.bucket())).isEmpty();
  }

  @Test
  void case31_noSuchBucket_isMiss_withClearMessageOnce() throws Exception {
    S3Location loc = s3.location("progcache-no-such-bucket", "");
    Stats s = new Stats();
    try (TieredCache t = tier("a", loc, s)) {
      for (int i = 0; i < 5; i++) {
        assertThat(t.get(key(new byte[] {(byte) i})).get()).isEmpty();
      }
      put(t, key(new byte[] {1}), new byte[] {1});
    }
    assertThat(s.get(RemoteLog.ERRORS)).isPositive();
    assertThat(s.get(S3Tier.GETS)).as("breaker opened after 3 failures").isEqualTo(3);
    assertThat(errText()).contains("bucket progcache-no-such-bucket does not exist");
    assertThat(
            errText()
                .lines()
                .filter(l -> l.contains("does not exist") && l.contains(" get "))
                .count())
        .isEqualTo(1);
  }

  @Test
  void case31_slowDown_pausesTheTier_getsAreMisses_putsStayLocal() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    HttpServer throttling =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    throttling.createContext(
        "/",
        x -> {
          requests.incrementAndGet();
          x.getRequestBody().transferTo(OutputStream.nullOutputStream());
          byte[] b =
              ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
                      + "<Message>Please reduce your request rate.</Message></Error>")
                  .getBytes(StandardCharsets.UTF_8);
          x.getResponseHeaders().add("Content-Type", "application/xml");
          x.sendResponseHeaders(503, b.length);
          x.getResponseBody().write(b);
          x.close();
        });
    throttling.start();
    try {
      URI endpoint = URI.create("http://127.0.0.1:" + throttling.getAddress().getPort());
      S3Location loc = new S3Location("progcache-throttled", "", "us-east-1", endpoint, true);
      Stats s = new Stats();
      byte[] body = "kept locally".getBytes(StandardCharsets.UTF_8);
      try (TieredCache t = tier("a", loc, s)) {
        for (int i = 0; i < 5; i++) {
          assertThat(t.get(key(new byte[] {(byte) i})).get()).isEmpty();
        }
        put(t, key(new byte[] {9}), body);
        assertThat(t.get(key(new byte[] {9})).get()).as("the put is stored locally").isPresent();
      }
      assertThat(s.get(RemoteLog.HITS)).isZero();
      assertThat(s.get(S3Tier.GETS)).as("the tier paused after the first SlowDown").isEqualTo(1);
      assertThat(requests.get()).as("one GET and its single retry").isEqualTo(2);
      assertThat(errText()).contains("SlowDown").contains("asked us to back off");
      assertThat(errText().lines().filter(l -> l.contains("back off")).count()).isEqualTo(1);
    } finally {
      throttling.stop(0);
    }
  }

  @Test
  void readOnly_getsHits_butNeverUploads() throws Exception {
    S3Location loc = s3.location(newBucket(), "ro");
    byte[] body = "published".getBytes(StandardCharsets.UTF_8);
    try (TieredCache a = tier("a", loc, new Stats())) {
      put(a, key(new byte[] {1}), body);
    }
    Stats s = new Stats();
    try (TieredCache ro = tier("b", loc, s, S3Proxy.SECRET_KEY, true)) {
      assertThat(ro.get(key(new byte[] {1})).get()).isPresent();
      put(ro, key(new byte[] {2}), "local only".getBytes(StandardCharsets.UTF_8));
      assertThat(ro.get(key(new byte[] {2})).get()).as("still stored locally").isPresent();
    }
    assertThat(s.get(RemoteLog.UPLOADS)).isZero();
    assertThat(s.get(S3Tier.PUTS)).isZero();
    assertThat(s.get(ReadOnly.SKIPPED)).isEqualTo(1);
    assertThat(s3.objects(loc.bucket())).containsExactly("ro/a/" + key(new byte[] {1}).hex());
  }
}
