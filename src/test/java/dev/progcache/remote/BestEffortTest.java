package dev.progcache.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.testing.ManualClock;
import dev.progcache.wire.Manifest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link BestEffort} against a scripted remote and a hand-moved clock. */
@Timeout(30)
class BestEffortTest {
  private static final Duration OPEN = Duration.ofSeconds(10);
  private final ManualClock now = new ManualClock(1_000_000_000L);
  private final Stats stats = new Stats();
  private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
  private final RemoteLog log =
      new RemoteLog(stats, new PrintStream(errBytes, true, StandardCharsets.UTF_8));
  private final Scripted remote = new Scripted();

  /** A remote whose next answers are set by the test; it records which calls reached it. */
  private static final class Scripted implements RemoteTier {
    volatile IOException getFails;
    volatile IOException putFails;
    final List<String> calls = new ArrayList<>();

    @Override
    public synchronized Optional<Hit> get(Key action, ObjectSink sink) throws IOException {
      calls.add("get");
      if (getFails != null) {
        throw getFails;
      }
      return Optional.empty();
    }

    @Override
    public synchronized void put(Key action, Key output, long size, Path body) throws IOException {
      calls.add("put");
      if (putFails != null) {
        throw putFails;
      }
    }

    @Override
    public synchronized void getMany(List<Key> actions, BatchSink sink) {
      calls.add("getMany");
    }

    @Override
    public synchronized Optional<Manifest> manifest(Key context) {
      calls.add("manifest");
      return Optional.empty();
    }

    synchronized List<String> calls() {
      return List.copyOf(calls);
    }

    @Override
    public void close() {}
  }

  private BestEffort tier(Duration negativeTtl) {
    return new BestEffort(
        remote,
        "test-remote",
        new BestEffort.Policy(Duration.ofSeconds(5), 2, OPEN, negativeTtl),
        log,
        now::get);
  }

  private static Key key(int i) {
    byte[] b = new byte[32];
    b[0] = (byte) i;
    b[31] = 1;
    return Key.of(b);
  }

  private String err() {
    return errBytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void prefetchWhileHalfOpen_leavesTheProbeToAGet_andTheTierRecovers() {
    BestEffort t = tier(Duration.ZERO);
    remote.getFails = new IOException("down");
    t.get(key(1), null);
    t.get(key(2), null);
    assertThat(t.readBreaker().isOpen()).isTrue();
    remote.getFails = null; // the server is back
    now.addAndGet(OPEN.toNanos() + 1);
    t.getMany(List.of(key(3)), (a, o, s, b) -> null);
    assertThat(t.manifest(key(4))).isEmpty();
    assertThat(remote.calls())
        .as("bulk calls wait for a closed breaker")
        .containsExactly("get", "get");
    // the get that draws the probe is answered at once; the probe runs in the background
    assertThat(t.get(key(5), null)).isEmpty();
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (!t.readBreaker().closed() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(t.readBreaker().closed()).as("the probe succeeded and closed the breaker").isTrue();
    t.get(key(6), null);
    t.getMany(List.of(key(7)), (a, o, s, b) -> null);
    assertThat(remote.calls()).containsExactly("get", "get", "get", "get", "getMany");
    assertThat(stats.get(RemoteLog.SKIPPED)).as("only the get that drew the probe").isEqualTo(1);
  }

  @Test
  void unauthenticated401_turnsReadsAndUploadsOff_reportedOnceWithTheHint() throws IOException {
    BestEffort t = tier(Duration.ZERO);
    remote.getFails =
        new RemoteException(RemoteException.Kind.UNAUTHENTICATED, "HTTP 401 for GET /action/x");
    assertThat(t.get(key(1), null)).isEmpty();
    assertThat(t.get(key(2), null)).isEmpty();
    t.put(key(3), key(4), 10, Path.of("unused"));
    assertThat(remote.calls()).containsExactly("get");
    assertThat(stats.get(RemoteLog.UPLOAD_DROPPED)).isEqualTo(1);
    assertThat(err().lines().filter(l -> l.contains("did not accept the credentials")).count())
        .isEqualTo(1);
    assertThat(err()).contains(remote.credentialsHint()).doesNotContain("read-only");
  }

  @Test
  void uploadCutOffByItsDeadline_isCountedOnce_asATimeout() throws Exception {
    RemoteTier slow =
        PutsWith.tier(
            (a, o, size, body) -> {
              try {
                Thread.sleep(10_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // as the HTTP tier does
                throw new java.io.InterruptedIOException("upload interrupted");
              }
            });
    BestEffort cut = new BestEffort(slow, "slow-remote", BestEffort.Policy.DEFAULT, log, now::get);
    java.util.concurrent.CountDownLatch handled = new java.util.concurrent.CountDownLatch(1);
    RemoteTier watched =
        PutsWith.tier(
            (a, o, size, body) -> {
              try {
                cut.put(a, o, size, body);
              } finally {
                handled.countDown(); // after BestEffort has counted whatever it counts
              }
            });
    Uploader.Limits limits =
        new Uploader.Limits(
            4, 1, new Uploader.Timeout(Duration.ofMillis(100), 1 << 20), Duration.ofSeconds(5));
    try (Uploader u = new Uploader(watched, limits, log)) {
      u.submit(key(1), key(2), 10, Path.of("unused"));
    }
    assertThat(handled.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(stats.get(RemoteLog.UPLOAD_TIMEOUTS)).isEqualTo(1);
    assertThat(stats.get(RemoteLog.UPLOAD_ERRORS)).isZero();
    assertThat(stats.get(RemoteLog.UPLOAD_DROPPED)).isZero();
    assertThat(err()).doesNotContain("upload failed");
  }

  @Test
  void writeProbeAnswered413_closesTheWriteBreaker() throws IOException {
    BestEffort t = tier(Duration.ZERO);
    remote.putFails = new IOException("connection reset");
    assertThatThrownBy(() -> t.put(key(1), key(2), 10, Path.of("unused")))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> t.put(key(1), key(2), 10, Path.of("unused")))
        .isInstanceOf(IOException.class);
    t.put(key(1), key(2), 10, Path.of("unused")); // open: dropped, not sent
    now.addAndGet(OPEN.toNanos() + 1);
    remote.putFails = new RemoteException(RemoteException.Kind.TOO_LARGE, "HTTP 413 for PUT /a/b");
    t.put(key(1), key(2), 10, Path.of("unused")); // the probe: the server is up
    remote.putFails = null;
    t.put(key(5), key(6), 10, Path.of("unused"));
    t.put(key(7), key(8), 10, Path.of("unused"));
    assertThat(remote.calls()).containsExactly("put", "put", "put", "put", "put");
    assertThat(stats.get(RemoteLog.UPLOADS)).isEqualTo(2);
    assertThat(stats.get(RemoteLog.UPLOAD_REJECTED)).isEqualTo(1);
    assertThat(stats.get(RemoteLog.UPLOAD_DROPPED)).isEqualTo(1);
  }

  @Test
  void aMiss_isRememberedForTheNegativeTtl_andAnUploadForgetsIt() throws IOException {
    BestEffort t = tier(Duration.ofSeconds(30));
    assertThat(t.get(key(1), null)).isEmpty();
    assertThat(t.get(key(1), null)).isEmpty();
    assertThat(remote.calls()).containsExactly("get");
    assertThat(stats.get(RemoteLog.SKIPPED)).isEqualTo(1);
    now.addAndGet(Duration.ofSeconds(31).toNanos());
    t.get(key(1), null);
    assertThat(remote.calls()).containsExactly("get", "get");
    t.put(key(1), key(9), 10, Path.of("unused")); // now the remote has it
    t.get(key(1), null);
    assertThat(remote.calls()).containsExactly("get", "get", "put", "get");
  }
}
