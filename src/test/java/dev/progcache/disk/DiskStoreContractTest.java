package dev.progcache.disk;

import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.testing.TierContract;
import java.nio.file.Path;
import java.util.Optional;

/** The helper's disk as a tier. */
class DiskStoreContractTest extends TierContract {
  @Override
  protected Subject open(Path dir) throws Exception {
    DiskStore store = DiskStore.open(dir.resolve("cache"), System::nanoTime, new Stats());
    return new Subject() {
      @Override
      public Optional<TierContract.Got> get(Key action) throws Exception {
        return read(store.lookup(action));
      }

      @Override
      public void put(Key action, Key output, long size, byte[] body) throws Exception {
        store.put(action, output, size, source(body));
      }

      @Override
      public void close() {
        store.close();
      }
    };
  }
}
