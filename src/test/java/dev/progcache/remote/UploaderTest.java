package dev.progcache.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The uploader's bounds: queue, concurrency, and what a full queue does (never wait); uploads held
 * while the machine is busy, within what the drain can send.
 */
@Timeout(30)
class UploaderTest {
  private final Stats stats = new Stats();
  private final RemoteLog log =
      new RemoteLog(stats, new PrintStream(OutputStream.nullOutputStream()));

  /** A remote whose uploads wait for {@link #release}, counting how many run at once. */
  private static final class Gate implements RemoteTier {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger most = new AtomicInteger();
    final AtomicInteger done = new AtomicInteger();

    @Override
    public Optional<Hit> get(Key action, ObjectSink sink) {
      return Optional.empty();
    }

    @Override
    public void put(Key action, Key output, long size, Path body) throws IOException {
      most.accumulateAndGet(running.incrementAndGet(), Math::max);
      started.countDown();
      try {
        if (!release.await(20, TimeUnit.SECONDS)) {
          throw new IOException("never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted");
      } finally {
        running.decrementAndGet();
      }
      done.incrementAndGet();
    }

    @Override
    public void close() {}
  }

  /** An uploader with generous deadlines (20 s per upload, 20 s to drain). */
  private Uploader uploader(RemoteTier remote, int queue, int concurrency) {
    Duration long20 = Duration.ofSeconds(20);
    return new Uploader(
        remote,
        new Uploader.Limits(queue, concurrency, new Uploader.Timeout(long20, 1 << 20), long20),
        log);
  }

  private static Key key(int i) {
    byte[] b = new byte[32];
    b[0] = (byte) i;
    return Key.of(b);
  }

  @Test
  void fullQueue_dropsAndCounts_withoutWaiting_andOnlyTheLimitRunsAtOnce() throws Exception {
    Gate remote = new Gate();
    try (Uploader u = uploader(remote, 2, 1)) {
      u.submit(key(1), key(101), 10, Path.of("unused"));
      assertThat(remote.started.await(10, TimeUnit.SECONDS)).isTrue();
      long t0 = System.nanoTime();
      for (int i = 2; i <= 5; i++) {
        u.submit(key(i), key(100 + i), 10, Path.of("unused"));
      }
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .as("submit never waits")
          .isLessThan(Duration.ofSeconds(1));
      assertThat(u.queued()).isEqualTo(2);
      assertThat(stats.get(RemoteLog.UPLOAD_DROPPED)).as("two over the queue of two").isEqualTo(2);
      remote.release.countDown();
    }
    assertThat(remote.done).hasValue(3);
    assertThat(remote.most).as("uploads at once, with a concurrency of 1").hasValue(1);
    assertThat(stats.get(RemoteLog.UPLOAD_DROPPED)).isEqualTo(2);
  }

  @Test
  void concurrency_runsUpToTheLimitSideBySide() throws Exception {
    Gate remote = new Gate();
    try (Uploader u = uploader(remote, 16, 3)) {
      for (int i = 1; i <= 8; i++) {
        u.submit(key(i), key(100 + i), 10, Path.of("unused"));
      }
      for (int i = 0; i < 200 && remote.running.get() < 3; i++) {
        Thread.sleep(10);
      }
      assertThat(remote.running).as("three running while five wait").hasValue(3);
      remote.release.countDown();
    }
    assertThat(remote.done).hasValue(8);
    assertThat(remote.most).hasValue(3);
    assertThat(stats.get(RemoteLog.UPLOAD_DROPPED)).isZero();
  }

  /** A remote whose uploads take {@code millis} each, counting those done. */
  private static RemoteTier slow(AtomicInteger done, long millis) {
    return PutsWith.tier(
        (action, output, size, body) -> {
          try {
            Thread.sleep(millis);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
          }
          done.incrementAndGet();
        });
  }

  private static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
    for (int i = 0; i < 1000 && !c.getAsBoolean(); i++) {
      Thread.sleep(10);
    }
    assertThat(c.getAsBoolean()).as("within 10 s").isTrue();
  }

  @Test
  void busyMachine_holdsQueuedUploads_untilACoreIsFree_orClose() throws Exception {
    AtomicInteger done = new AtomicInteger();
    java.util.concurrent.atomic.AtomicBoolean busy =
        new java.util.concurrent.atomic.AtomicBoolean();
    Duration d = Duration.ofSeconds(20);
    Uploader.Limits limits = new Uploader.Limits(256, 2, new Uploader.Timeout(d, 1 << 20), d);
    try (Uploader u = new Uploader(slow(done, 1), limits, log, busy::get)) {
      for (int i = 0; i < 8; i++) { // measured: until then nothing is held
        u.submit(key(i), key(100 + i), 10, Path.of("unused"));
      }
      await(() -> done.get() == 8);
      busy.set(true);
      for (int i = 8; i < 18; i++) {
        u.submit(key(i), key(100 + i), 10, Path.of("unused"));
      }
      Thread.sleep(500);
      assertThat(done).as("held while busy").hasValue(8);
      assertThat(u.queued()).isEqualTo(10);
      busy.set(false);
      await(() -> done.get() == 18);
      assertThat(stats.get(RemoteLog.UPLOAD_HELD)).isEqualTo(10);
      busy.set(true);
      for (int i = 18; i < 23; i++) {
        u.submit(key(i), key(100 + i), 10, Path.of("unused"));
      }
      Thread.sleep(300);
      assertThat(done).as("held again").hasValue(18);
    } // close sends what is held, busy or not
    assertThat(done).hasValue(23);
    assertThat(stats.get(RemoteLog.UPLOAD_DROPPED)).isZero();
  }

  @Test
  void busyMachine_holdsOnlyWhatHalfTheDrainCanSend() throws Exception {
    AtomicInteger done = new AtomicInteger();
    Uploader.Limits limits =
        new Uploader.Limits(
            256, 1, new Uploader.Timeout(Duration.ofSeconds(20), 1 << 20), Duration.ofSeconds(2));
    try (Uploader u = new Uploader(slow(done, 20), limits, log, () -> true)) {
      for (int i = 0; i < 120; i++) {
        u.submit(key(i), key(1000 + i), 10, Path.of("unused"));
      }
      // ~20 ms each, one at a time: half of the 2 s drain sends about 50 of them
      await(() -> u.queued() <= 50);
      int settled = u.queued();
      Thread.sleep(400);
      // the pace is measured anew with each upload: what is held may move a little
      assertThat(u.queued()).as("the rest is held").isBetween(Math.min(1, settled - 5), 50);
      assertThat(done.get()).isGreaterThanOrEqualTo(70);
    }
    assertThat(done).hasValue(120);
  }

  @Test
  void fullHalfQueue_isNeverHeld() throws Exception {
    AtomicInteger done = new AtomicInteger();
    Duration d = Duration.ofSeconds(20);
    Uploader.Limits limits = new Uploader.Limits(16, 1, new Uploader.Timeout(d, 1 << 20), d);
    try (Uploader u = new Uploader(slow(done, 1), limits, log, () -> true)) {
      for (int i = 0; i < 16; i++) {
        u.submit(key(i), key(100 + i), 10, Path.of("unused"));
      }
      // more than half of the queue of 16 waits: uploads go on until 8 are left
      await(() -> u.queued() <= 8);
      Thread.sleep(300);
      assertThat(u.queued()).isEqualTo(8);
    }
    assertThat(done).hasValue(16);
  }
}
