package dev.progcache.disk;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.testing.TierContract;
import java.nio.file.Files;
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
        Optional<Hit> h = store.lookup(action);
        return h.isEmpty() ? Optional.empty() : Optional.of(
            new TierContract.Got(h.get().entry().outputId(), Files.readAllBytes(h.get().diskPath())));
      }

      @Override
      public void put(Key action, Key output, long size, byte[] body) throws Exception {
        store.put(
            action,
            output,
            size,
            out -> {
              out.write(body);
              return body.length;
            });
      }

      @Override
      public void close() {
        store.close();
      }
    };
  }
}
