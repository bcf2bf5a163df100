package dev.progcache.remote;

import static dev.progcache.testing.Hashes.key;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.disk.DiskStore;
import dev.progcache.remote.http.HttpTier;
import dev.progcache.server.CacheServer;
import dev.progcache.server.ServeConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --read-only} over the HTTP tier: reads the server, writes only locally. */
@Timeout(60)
class ReadOnlyTest {
  @TempDir Path tmp;
  private final PrintStream err =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

  private TieredCache tier(String dir, URI url, Stats stats, boolean readOnly) throws Exception {
    DiskStore local = DiskStore.open(tmp.resolve(dir), System::currentTimeMillis, stats);
    RemoteLog log = new RemoteLog(stats, err);
    RemoteTier remote =
        new BestEffort(
            new HttpTier(HttpTier.Config.of(url, (String) null)),
            url.toString(),
            new BestEffort.Policy(Duration.ofSeconds(5), 3, Duration.ofSeconds(30), Duration.ZERO),
            log);
    if (readOnly) {
      remote = new ReadOnly(remote, log);
    }
    return new TieredCache(local, remote, new Uploader(remote, Uploader.Limits.DEFAULT, log));
  }

  @Test
  void readOnly_http_hitsFromServer_putsStayLocal() throws Exception {
    ServeConfig.Limits l =
        new ServeConfig.Limits(1 << 30, 1 << 30, 64, Duration.ofSeconds(10), 8192, 4096);
    try (CacheServer server =
        CacheServer.start(
            ServeConfig.onDisk("127.0.0.1", 0, tmp.resolve("srv"), null, l, false), err)) {
      byte[] shared = "from main".getBytes(StandardCharsets.UTF_8);
      byte[] pr = "from a PR".getBytes(StandardCharsets.UTF_8);
      Key a1 = key(new byte[] {1});
      Key a2 = key(new byte[] {2});
      try (TieredCache writer = tier("w", server.url(), new Stats(), false)) {
        writer.put(
            a1,
            key(shared),
            shared.length,
            out -> {
              out.write(shared);
              return shared.length;
            });
      }
      Stats s = new Stats();
      try (TieredCache ro = tier("ro", server.url(), s, true)) {
        assertThat(ro.get(a1).get()).isPresent();
        ro.put(
            a2,
            key(pr),
            pr.length,
            out -> {
              out.write(pr);
              return pr.length;
            });
        assertThat(ro.get(a2).get()).as("stored locally").isPresent();
      }
      assertThat(s.get(RemoteLog.UPLOADS)).isZero();
      assertThat(s.get(ReadOnly.SKIPPED)).isEqualTo(1);
      Stats fresh = new Stats();
      try (TieredCache other = tier("other", server.url(), fresh, false)) {
        assertThat(other.get(a2).get()).as("the server never got the PR's output").isEmpty();
      }
    }
  }
}
