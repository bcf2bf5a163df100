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

/** The uploader's bounds: queue, concurrency, and what a full queue does (never wait). */
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
}
