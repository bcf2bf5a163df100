package dev.progcache.remote.s3;

import static dev.progcache.testing.Hashes.key;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.disk.DiskStore;
import dev.progcache.remote.BestEffort;
import dev.progcache.remote.Prefetch;
import dev.progcache.remote.RemoteLog;
import dev.progcache.remote.TieredCache;
import dev.progcache.remote.Uploader;
import dev.progcache.testing.S3Proxy;
import dev.progcache.wire.Manifest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;

/** Prefetch manifests as shards in a bucket (a real s3proxy on loopback). */
@Timeout(240)
class S3PrefetchTest {
  @TempDir static Path shared;
  private static S3Proxy s3;
  @TempDir Path tmp;
  private final PrintStream err =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

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

  private S3Tier raw(S3Location loc, Stats stats) {
    return new S3Tier(
        loc,
        S3Tier.Settings.DEFAULT,
        new RemoteLog(stats, err),
        StaticCredentialsProvider.create(
            AwsBasicCredentials.create(S3Proxy.ACCESS_KEY, S3Proxy.SECRET_KEY)));
  }

  @Test
  void twoRunnersAddingAtOnce_areBothRead_andHostileShardsAreSkipped() throws Exception {
    s3.createBucket("prefetch-merge");
    S3Location loc = s3.location("prefetch-merge", "ci");
    Key ctx = key("context".getBytes(StandardCharsets.UTF_8));
    List<Key> one = new ArrayList<>();
    List<Key> two = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      (i % 2 == 0 ? one : two).add(key(("id " + i).getBytes(StandardCharsets.UTF_8)));
    }
    try (S3Tier a = raw(loc, new Stats());
        S3Tier b = raw(loc, new Stats())) {
      assertThat(a.manifest(ctx)).isEmpty();
      Thread ta = Thread.ofPlatform().start(() -> add(a, ctx, one));
      Thread tb = Thread.ofPlatform().start(() -> add(b, ctx, two));
      ta.join();
      tb.join();
      s3.admin()
          .putObject(
              r -> r.bucket(loc.bucket()).key(loc.manifestDir(ctx.hex()) + "0-garbage"),
              RequestBody.fromString("not\u0000an id\n" + "q".repeat(64) + "\n"));
      Set<Key> got = new HashSet<>(a.manifest(ctx).orElseThrow().ids());
      Set<Key> all = new HashSet<>(one);
      all.addAll(two);
      assertThat(got).isEqualTo(all);
    }
  }

  private static void add(S3Tier t, Key ctx, List<Key> ids) {
    try {
      t.addToManifest(ctx, Manifest.allAsked(ids));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void freshDir_prefetchesWhatTheLastBuildUsed() throws Exception {
    s3.createBucket("prefetch-fill");
    S3Location loc = s3.location("prefetch-fill", "");
    Key ctx = key("ctx".getBytes(StandardCharsets.UTF_8));
    List<Key> actions = new ArrayList<>();
    Stats sa = new Stats();
    try (TieredCache a = cache("a", loc, ctx, sa)) {
      for (int i = 0; i < 20; i++) {
        byte[] b = ("object " + i).repeat(i + 1).getBytes(StandardCharsets.UTF_8);
        Key action = key(("action " + i).getBytes(StandardCharsets.UTF_8));
        actions.add(action);
        a.put(
            action,
            key(b),
            b.length,
            out -> {
              out.write(b);
              return b.length;
            });
      }
    }
    Stats sb = new Stats();
    try (TieredCache b = cache("b", loc, ctx, sb)) {
      // the first local miss wakes the shared tier and starts the prefetch
      assertThat(
              b.get(key("stored nowhere".getBytes(StandardCharsets.UTF_8)))
                  .get(30, TimeUnit.SECONDS))
          .isEmpty();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (sb.get(RemoteLog.PREFETCHED) < 20 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      for (Key k : actions) {
        Optional<Hit> h = b.get(k).get(30, TimeUnit.SECONDS);
        assertThat(h).isPresent();
      }
    }
    assertThat(sb.get(RemoteLog.PREFETCHED)).isEqualTo(20);
    assertThat(sb.get(RemoteLog.PREFETCH_USED)).isEqualTo(20);
    assertThat(sb.get(RemoteLog.HITS)).as("no single gets").isZero();
  }

  private TieredCache cache(String dir, S3Location loc, Key ctx, Stats stats) throws Exception {
    DiskStore local = DiskStore.open(tmp.resolve(dir), System::currentTimeMillis, stats);
    RemoteLog log = new RemoteLog(stats, err);
    BestEffort remote =
        new BestEffort(
            raw(loc, stats),
            loc.describe(),
            new BestEffort.Policy(Duration.ofSeconds(20), 3, Duration.ofSeconds(30), Duration.ZERO),
            log);
    Uploader up = new Uploader(remote, Uploader.Limits.DEFAULT, log);
    return new TieredCache(
        local, remote, up, new Prefetch(local, remote, () -> ctx, Prefetch.Limits.DEFAULT, log));
  }
}
