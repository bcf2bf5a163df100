package dev.progcache.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.disk.DiskStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote calls go waits on run on platform threads, not behind the virtual threads' background work
 * on the carriers (ADR 0038), and keep their deadline there.
 */
@Timeout(30)
class RemoteThreadsTest {
  @TempDir Path tmp;

  /** A remote that misses every get and records whether each ran on a virtual thread. */
  private static final class Recording implements RemoteTier {
    final List<Boolean> getOnVirtual = new CopyOnWriteArrayList<>();

    @Override
    public Optional<Hit> get(Key action, ObjectSink sink) {
      getOnVirtual.add(Thread.currentThread().isVirtual());
      return Optional.empty();
    }

    @Override
    public void put(Key action, Key output, long size, Path body) {}

    @Override
    public void close() {}
  }

  @Test
  void aGetThatMissesOnDisk_asksTheRemoteOnAPlatformThread_throughTheDeadline() throws Exception {
    Stats stats = new Stats();
    RemoteLog log = new RemoteLog(stats, new PrintStream(new ByteArrayOutputStream()));
    DiskStore local = DiskStore.open(tmp.resolve("local"), System::currentTimeMillis, stats);
    Recording remote = new Recording();
    BestEffort tier = new BestEffort(remote, "test", BestEffort.Policy.DEFAULT, log);
    try (Uploader up = new Uploader(tier, Uploader.Limits.DEFAULT, log)) {
      TieredCache cache = new TieredCache(local, tier, up, null);
      for (int i = 0; i < 3; i++) {
        Key action = PrefetchTest.id("missing " + i);
        assertThat(cache.get(action).get(10, TimeUnit.SECONDS)).isEmpty();
      }
    }
    assertThat(remote.getOnVirtual).containsExactly(false, false, false);
  }

  @Test
  void call_fromAPlatformThread_runsOnAPlatformThread_fromAVirtualOneOnAVirtualOne()
      throws Exception {
    boolean fromPlatform =
        Deadlines.call(
            () -> Thread.currentThread().isVirtual(), Duration.ofSeconds(5), "platform caller");
    assertThat(fromPlatform).isFalse();

    boolean[] fromVirtual = new boolean[1];
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                fromVirtual[0] =
                    Deadlines.call(
                        () -> Thread.currentThread().isVirtual(),
                        Duration.ofSeconds(5),
                        "virtual caller");
              } catch (java.io.IOException e) {
                throw new AssertionError(e);
              }
            })
        .join();
    assertThat(fromVirtual[0]).isTrue();
  }

  @Test
  void call_fromAPlatformThread_stillEndsAtItsDeadline() {
    CountDownLatch never = new CountDownLatch(1);
    long t0 = System.nanoTime();
    assertThatThrownBy(
            () ->
                Deadlines.call(
                    () -> {
                      never.await(); // a call that does not end on its own
                      return null;
                    },
                    Duration.ofMillis(200),
                    "stuck call"))
        .isInstanceOf(Deadlines.TimedOut.class)
        .hasMessageContaining("stuck call timed out after 200 ms");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
  }
}
