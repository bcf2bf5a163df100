package dev.progcache.remote;

import static dev.progcache.testing.Hashes.key;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.disk.DiskStore;
import dev.progcache.remote.http.HttpTier;
import dev.progcache.server.CacheServer;
import dev.progcache.server.ServeConfig;
import dev.progcache.testing.FaultServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The helper's tier against real servers on loopback: progcache serve, and the fault server. */
@Timeout(60)
class RemoteRoundTripTest {
  @TempDir Path tmp;
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

  private TieredCache tier(String name, URI url, Stats stats) throws Exception {
    DiskStore local = DiskStore.open(tmp.resolve(name), System::currentTimeMillis, stats);
    RemoteLog log = new RemoteLog(stats, err);
    BestEffort remote =
        new BestEffort(
            new HttpTier(HttpTier.Config.of(url, "t0ken-for-tests-only")),
            url.toString(),
            new BestEffort.Policy(Duration.ofSeconds(5), 3, Duration.ofSeconds(30), Duration.ZERO),
            log);
    return new TieredCache(local, remote, new Uploader(remote, Uploader.Limits.DEFAULT, log));
  }

  @Test
  void putInA_isRemoteHitInB_withIdenticalBytes_throughProgcacheServe() throws Exception {
    ServeConfig.Limits l =
        new ServeConfig.Limits(1 << 30, 1 << 30, 64, Duration.ofSeconds(10), 8192, 4096);
    try (CacheServer server =
        CacheServer.start(
            ServeConfig.onDisk("127.0.0.1", 0, tmp.resolve("srv"), null, l, false), err)) {
      Random rnd = new Random(7);
      byte[][] bodies = {
        new byte[0],
        new byte[100],
        "lz4 ".repeat(100_000).getBytes(StandardCharsets.UTF_8),
        new byte[3 << 20]
      };
      for (byte[] b : bodies) {
        rnd.nextBytes(b.length == 400_000 ? new byte[0] : b);
      }
      Stats sa = new Stats();
      try (TieredCache a = tier("a", server.url(), sa)) {
        for (int i = 0; i < bodies.length; i++) {
          byte[] b = bodies[i];
          a.put(
              key(new byte[] {(byte) i}),
              key(b),
              b.length,
              out -> {
                out.write(b);
                return b.length;
              });
        }
      }
      assertThat(sa.get(RemoteLog.UPLOADS)).isEqualTo(bodies.length);
      Stats sb = new Stats();
      try (TieredCache b = tier("b", server.url(), sb)) {
        for (int i = 0; i < bodies.length; i++) {
          Optional<Hit> h = b.get(key(new byte[] {(byte) i})).get();
          assertThat(h).as("entry %d", i).isPresent();
          assertThat(h.get().diskPath()).startsWith(tmp.resolve("b"));
          assertThat(Files.readAllBytes(h.get().diskPath())).isEqualTo(bodies[i]);
        }
        assertThat(b.get(key(new byte[] {99})).get()).isEmpty();
      }
      assertThat(sb.get(RemoteLog.HITS)).isEqualTo(bodies.length);
      assertThat(sb.get(RemoteLog.MISSES)).isEqualTo(1);
      assertThat(sb.get(RemoteLog.ERRORS)).isZero();
    }
    assertThat(errBytes.toString(StandardCharsets.UTF_8)).doesNotContain("t0ken");
  }

  @Test
  void olderServer_twoHopJsonForm_isAHit() throws Exception {
    try (FaultServer server = FaultServer.start("127.0.0.1")) {
      byte[] body = "two hops".getBytes(StandardCharsets.UTF_8);
      Key action = key(new byte[] {1});
      server.store().put(action.hex(), new FaultServer.Stored(key(body).hex(), body));
      server.mode(FaultServer.Mode.LEGACY_JSON);
      Stats s = new Stats();
      try (TieredCache t = tier("c", server.url(), s)) {
        Optional<Hit> h = t.get(action).get();
        assertThat(h).isPresent();
        assertThat(Files.readAllBytes(h.get().diskPath())).isEqualTo(body);
      }
      assertThat(server.requests()).isEqualTo(2);
      assertThat(server.authorizations()).containsOnly("Bearer t0ken-for-tests-only");
    }
  }

  @Test
  void wrongBytes_areAMiss_andCounted_case26() throws Exception {
    try (FaultServer server = FaultServer.start("127.0.0.1")) {
      byte[] body = "honest bytes".getBytes(StandardCharsets.UTF_8);
      Key action = key(new byte[] {2});
      server.store().put(action.hex(), new FaultServer.Stored(key(body).hex(), body));
      server.mode(FaultServer.Mode.WRONG_BYTES);
      Stats s = new Stats();
      try (TieredCache t = tier("d", server.url(), s)) {
        assertThat(t.get(action).get()).isEmpty();
        assertThat(t.get(action).get()).isEmpty();
      }
      assertThat(s.get(RemoteLog.CORRUPT)).isEqualTo(2);
      assertThat(
              errBytes
                  .toString(StandardCharsets.UTF_8)
                  .lines()
                  .filter(l -> l.contains("bad object"))
                  .count())
          .as("logged once")
          .isEqualTo(1);
      try (var files = Files.walk(tmp.resolve("d"))) {
        assertThat(files.filter(Files::isRegularFile).count()).as("nothing stored").isZero();
      }
    }
  }
}
