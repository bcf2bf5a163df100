package dev.progcache.testing;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.disk.DiskStore;
import dev.progcache.remote.RemoteTier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A {@link RemoteTier} as a {@link TierContract.Subject}: gets land in a scratch disk store (which
 * checks size and SHA-256, as the helper's disk does), puts go from a temporary file.
 */
public class RemoteSubject implements TierContract.Subject {
  private final RemoteTier tier;
  private final DiskStore scratch;
  private final Path files;
  private final AutoCloseable[] also;

  /** {@code also} are closed after the tier (servers, delegates). */
  public RemoteSubject(RemoteTier tier, Path dir, AutoCloseable... also) throws Exception {
    this.tier = tier;
    this.scratch = DiskStore.open(dir.resolve("scratch"), System::nanoTime, new Stats());
    this.files = Files.createDirectories(dir.resolve("bodies"));
    this.also = also;
  }

  @Override
  public Optional<TierContract.Got> get(Key action) throws Exception {
    Optional<Hit> h =
        tier.get(
            action, (out, size, body) -> scratch.store(action, out, size, o -> body.transferTo(o)));
    return TierContract.read(h);
  }

  @Override
  public void put(Key action, Key output, long size, byte[] body) throws Exception {
    Path f = Files.createTempFile(files, "body", "");
    Files.write(f, body);
    tier.put(action, output, size, f);
  }

  @Override
  public void close() throws IOException {
    tier.close();
    scratch.close();
    for (AutoCloseable c : also) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IOException("cannot close " + c, e);
      }
    }
  }
}
