package dev.progcache.remote;

import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.disk.DiskStore;
import dev.progcache.server.LoopbackServer;
import dev.progcache.testing.TierContract;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The helper's disk in front of a best-effort HTTP tier, as go's GOCACHEPROG sees it. */
class TieredCacheContractTest extends TierContract {
  @Override
  protected Subject open(Path dir) throws Exception {
    LoopbackServer server = ContractTiers.server();
    RemoteLog log = ContractTiers.log();
    BestEffort remote = ContractTiers.bestEffort(ContractTiers.http(server), log);
    DiskStore local = DiskStore.open(dir.resolve("local"), System::nanoTime, new Stats());
    TieredCache cache =
        new TieredCache(local, remote, new Uploader(remote, Uploader.Limits.DEFAULT, log));
    return new Subject() {
      @Override
      public Optional<TierContract.Got> get(Key action) throws Exception {
        return read(cache.get(action).get(30, TimeUnit.SECONDS));
      }

      @Override
      public void put(Key action, Key output, long size, byte[] body) throws Exception {
        cache.put(action, output, size, source(body));
      }

      @Override
      public void close() {
        cache.close();
      }
    };
  }
}
