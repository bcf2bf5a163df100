package dev.progcache.server.store;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.remote.BestEffort;
import dev.progcache.remote.RemoteLog;
import dev.progcache.remote.RemoteTier;
import dev.progcache.remote.s3.S3Location;
import dev.progcache.remote.s3.S3Tier;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The bucket behind a server's disk, shared by every replica. Reads are best-effort (deadline,
 * breaker, no negative caching, since another replica may write at any time): trouble is a miss.
 * Writes are durable or fail: {@link #put} returns only once the bucket holds the object.
 *
 * <p>Thread-safe. Counters are in {@link #stats()}.
 */
public final class Backing implements NextTier {
  /** A write to the bucket that did not succeed; the client is told 503. */
  public static final class Unavailable extends IOException {
    Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final BestEffort reads;
  private final RemoteTier writes;
  private final Stats stats;
  private final String name;

  private Backing(RemoteTier tier, String name, Stats stats, PrintStream err) {
    RemoteLog log = new RemoteLog(stats, err);
    this.writes = tier;
    this.reads =
        new BestEffort(
            tier,
            name,
            new BestEffort.Policy(Duration.ofSeconds(10), 5, Duration.ofSeconds(5), Duration.ZERO),
            log);
    this.stats = stats;
    this.name = name;
  }

  /** A bucket reached with the AWS SDK's default credential chain. */
  public static Backing s3(S3Location location, PrintStream err) {
    Stats stats = new Stats();
    S3Tier tier = new S3Tier(location, S3Tier.Settings.DEFAULT, new RemoteLog(stats, err));
    return new Backing(tier, location.describe(), stats, err);
  }

  /** Looks {@code action} up in the bucket; a miss for any trouble. Never throws. */
  @Override
  public Optional<Hit> get(Key action, RemoteTier.ObjectSink sink) {
    return reads.get(action, sink);
  }

  /**
   * Stores the verified body at {@code body} in the bucket.
   *
   * @throws Unavailable when the bucket did not take it
   */
  @Override
  public void put(Key action, Key output, long size, Path body) throws Unavailable {
    try {
      writes.put(action, output, size, body);
      stats.add(RemoteLog.UPLOADS, 1);
      stats.add(RemoteLog.BYTES_UP, size);
    } catch (IOException e) {
      stats.add(RemoteLog.UPLOAD_ERRORS, 1);
      throw new Unavailable(
          "the backing store " + name + " did not take the object: " + e.getMessage(), e);
    }
  }

  public String describe() {
    return name;
  }

  public Stats stats() {
    return stats;
  }

  @Override
  public void close() {
    reads.close();
  }
}
