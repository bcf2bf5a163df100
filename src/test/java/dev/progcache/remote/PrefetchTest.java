package dev.progcache.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.disk.DiskStore;
import dev.progcache.wire.Manifest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Prefetching behind a {@link TieredCache}, with a remote in memory whose batches we hold. */
@Timeout(60)
class PrefetchTest {
  @TempDir Path tmp;

  /** A remote in memory: a manifest, objects, and a gate every batch waits at. */
  static final class HeldRemote implements RemoteTier {
    final Map<Key, byte[]> objects = new LinkedHashMap<>();
    final List<Key> manifest = new ArrayList<>();
    final CountDownLatch gate = new CountDownLatch(1);
    final CountDownLatch batchStarted = new CountDownLatch(1);
    final AtomicInteger singleGets = new AtomicInteger();
    final AtomicInteger batches = new AtomicInteger();
    final AtomicInteger manifestFetches = new AtomicInteger();
    final AtomicInteger warmUps = new AtomicInteger();
    final List<Manifest> added = new CopyOnWriteArrayList<>();
    final List<Key> batched = new CopyOnWriteArrayList<>();
    volatile CountDownLatch manifestGate = new CountDownLatch(0);
    volatile boolean corrupt;

    /** How many of the manifest's ids go asked for; -1: all. */
    volatile int asked = -1;

    volatile boolean settled;

    @Override
    public Optional<Hit> get(Key action, ObjectSink sink) throws IOException {
      singleGets.incrementAndGet();
      byte[] b = objects.get(action);
      return b == null
          ? Optional.empty()
          : Optional.of(sink.store(sha(b), b.length, new ByteArrayInputStream(b)));
    }

    @Override
    public void getMany(List<Key> actions, BatchSink sink) throws IOException {
      batches.incrementAndGet();
      batched.addAll(actions);
      batchStarted.countDown();
      try {
        gate.await();
      } catch (InterruptedException e) {
        throw new java.io.InterruptedIOException();
      }
      for (Key a : actions) {
        byte[] b = objects.get(a);
        if (b != null) {
          byte[] sent = corrupt ? "not what it claims".getBytes(StandardCharsets.UTF_8) : b;
          sink.store(a, sha(b), b.length, new ByteArrayInputStream(sent));
        }
      }
    }

    @Override
    public Optional<Manifest> manifest(Key context) throws IOException {
      manifestFetches.incrementAndGet();
      try {
        manifestGate.await();
      } catch (InterruptedException e) {
        throw new java.io.InterruptedIOException();
      }
      return Optional.of(new Manifest(manifest, asked < 0 ? manifest.size() : asked, settled));
    }

    @Override
    public void addToManifest(Key context, Manifest report) {
      added.add(report);
    }

    @Override
    public void put(Key action, Key output, long size, Path body) {}

    @Override
    public void warmUp() {
      warmUps.incrementAndGet();
    }

    @Override
    public void close() {}
  }

  static Key sha(byte[] b) {
    try {
      return Key.of(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static Key id(String s) {
    return sha(s.getBytes(StandardCharsets.UTF_8));
  }

  private record Setup(TieredCache cache, Stats stats, HeldRemote remote, Uploader uploader) {}

  private Setup setup(HeldRemote remote) throws IOException {
    Stats stats = new Stats();
    RemoteLog log = new RemoteLog(stats, new PrintStream(new ByteArrayOutputStream()));
    DiskStore local = DiskStore.open(tmp.resolve("local"), System::currentTimeMillis, stats);
    BestEffort tier = new BestEffort(remote, "test", BestEffort.Policy.DEFAULT, log);
    Uploader up = new Uploader(tier, Uploader.Limits.DEFAULT, log);
    Prefetch p = new Prefetch(local, tier, () -> id("context"), new Prefetch.Limits(2, 1), log);
    return new Setup(new TieredCache(local, tier, up, p), stats, remote, up);
  }

  /** Waits (10 s at most) until {@code n} entries were prefetched. */
  private static void awaitPrefetched(Setup s, long n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (s.stats().get(RemoteLog.PREFETCHED) < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  /** As {@link #setup}, woken by a local miss of an id nobody has (the prefetch starts there). */
  private Setup woken(HeldRemote remote) throws Exception {
    Setup s = setup(remote);
    assertThat(s.cache().get(id("in no cache")).get(10, TimeUnit.SECONDS)).isEmpty();
    remote.singleGets.set(0);
    return s;
  }

  /** As {@link #woken}, with batches let through, once everything listed was prefetched. */
  private Setup prefetchedAll(HeldRemote remote) throws Exception {
    remote.gate.countDown();
    Setup s = woken(remote);
    awaitPrefetched(s, remote.manifest.size());
    return s;
  }

  private static HeldRemote remoteWith(int n) {
    HeldRemote r = new HeldRemote();
    for (int i = 0; i < n; i++) {
      Key a = id("action " + i);
      r.objects.put(a, ("output " + i).repeat(100).getBytes(StandardCharsets.UTF_8));
      r.manifest.add(a);
    }
    return r;
  }

  @Test
  void get_ofAnEntryBeingPrefetched_waitsForThatFetch_insteadOfAskingAgain() throws Exception {
    HeldRemote remote =
        remoteWith(4); // batches of 2, one at a time: [0,1] in flight, [2,3] pending
    Setup s = woken(remote);
    assertThat(remote.batchStarted.await(10, TimeUnit.SECONDS)).isTrue();
    Key first = remote.manifest.get(0);

    CompletableFuture<Optional<Hit>> a = s.cache().get(first);
    CompletableFuture<Optional<Hit>> again = s.cache().get(first);
    Thread.sleep(200);
    assertThat(a).as("waits for the batch in flight").isNotDone();
    assertThat(remote.singleGets).hasValue(0);

    remote.gate.countDown();
    assertThat(a.get(10, TimeUnit.SECONDS)).isPresent();
    assertThat(again.get(10, TimeUnit.SECONDS)).isPresent();
    assertThat(remote.singleGets).as("no second fetch of the same entry").hasValue(0);
    assertThat(s.stats().get(RemoteLog.PREFETCH_WAITED)).isEqualTo(2);
    assertThat(s.stats().get(RemoteLog.PREFETCH_USED)).isEqualTo(1);
    s.cache().close();
  }

  @Test
  void get_ofAPendingEntry_takesItOver_andThePrefetchSkipsIt() throws Exception {
    HeldRemote remote = remoteWith(4);
    Setup s = woken(remote);
    assertThat(remote.batchStarted.await(10, TimeUnit.SECONDS)).isTrue();
    Key pending = remote.manifest.get(3);
    Optional<Hit> h = s.cache().get(pending).get(10, TimeUnit.SECONDS);
    assertThat(h).isPresent();
    assertThat(remote.singleGets).hasValue(1);
    remote.gate.countDown();
    // the rest arrives; the taken-over one is not fetched again
    awaitPrefetched(s, 3);
    assertThat(s.stats().get(RemoteLog.PREFETCHED)).isEqualTo(3);
    for (Key k : remote.manifest) {
      assertThat(s.cache().get(k).get(5, TimeUnit.SECONDS)).isPresent();
    }
    assertThat(remote.singleGets).hasValue(1);
    assertThat(s.stats().get(RemoteLog.PREFETCH_USED)).isEqualTo(3);
    s.cache().close();
    assertThat(s.stats().get(RemoteLog.PREFETCH_WASTED_BYTES)).isZero();
  }

  @Test
  void close_countsWastedBytes_andQueuesTheManifestOnlyWhenSomethingIsNew() throws Exception {
    HeldRemote remote = remoteWith(3);
    Setup s = prefetchedAll(remote);
    assertThat(s.cache().get(remote.manifest.get(0)).get()).isPresent();
    byte[] body = "new output".getBytes(StandardCharsets.UTF_8);
    Key fresh = id("fresh action");
    s.cache()
        .put(
            fresh,
            sha(body),
            body.length,
            sink -> {
              sink.write(body);
              return body.length;
            });
    s.cache().close();
    long unusedBytes = remote.objects.get(remote.manifest.get(1)).length * 2L;
    assertThat(s.stats().get(RemoteLog.PREFETCH_WASTED_BYTES)).isEqualTo(unusedBytes);
    // go asked for the first and found it, stored the other without asking; having asked for one
    // of the three listed as asked for, the build does not settle the manifest
    assertThat(remote.added)
        .containsExactly(new Manifest(List.of(remote.manifest.get(0), fresh), 1, false));

    HeldRemote same = remoteWith(3);
    same.settled = true;
    same.gate.countDown();
    Setup warm = woken(same); // the same local dir: everything is there already
    assertThat(warm.cache().get(same.manifest.get(0)).get()).isPresent();
    warm.cache().close();
    assertThat(same.batches).as("nothing fetched for a warm local dir").hasValue(0);
    assertThat(same.added).as("nothing new: no manifest upload").isEmpty();

    HeldRemote unsettled = remoteWith(3);
    unsettled.gate.countDown();
    Setup again = woken(unsettled);
    for (Key k : List.of(unsettled.manifest.get(0), unsettled.manifest.get(2))) {
      assertThat(again.cache().get(k).get()).isPresent();
    }
    again.cache().close();
    assertThat(unsettled.added)
        .as("all listed, but a build that found what it asked for, two of three, settles it")
        .containsExactly(
            new Manifest(List.of(unsettled.manifest.get(0), unsettled.manifest.get(2)), 2, true));
  }

  @Test
  void corruptPrefetchedBytes_areNotStored_andTheGetFallsBackToTheRemote() throws Exception {
    HeldRemote remote = remoteWith(2);
    remote.corrupt = true;
    Setup s = woken(remote);
    assertThat(remote.batchStarted.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Optional<Hit>> a = s.cache().get(remote.manifest.get(0));
    remote.gate.countDown();
    Optional<Hit> h = a.get(20, TimeUnit.SECONDS);
    assertThat(h).as("served by a single verified get after the bad batch").isPresent();
    assertThat(remote.singleGets).hasValue(1);
    assertThat(s.stats().get(RemoteLog.PREFETCHED)).isZero();
    assertThat(s.stats().get(RemoteLog.CORRUPT)).isEqualTo(1);
    s.cache().close();
  }

  @Test
  void allHitsOnDisk_neverWakeTheSharedTier() throws Exception {
    HeldRemote first = remoteWith(3);
    first.gate.countDown();
    Setup s = woken(first);
    awaitPrefetched(s, 3);
    s.cache().close();
    assertThat(first.warmUps).hasValue(1);

    HeldRemote later = remoteWith(3);
    Setup warm = setup(later); // the same local dir, which now holds all three
    for (Key k : later.manifest) {
      assertThat(warm.cache().get(k).get(5, TimeUnit.SECONDS)).isPresent();
    }
    warm.cache().close();
    assertThat(later.warmUps).as("no client built").hasValue(0);
    assertThat(later.manifestFetches).as("no manifest fetched").hasValue(0);
    assertThat(later.singleGets).hasValue(0);
    assertThat(later.added).as("no manifest upload").isEmpty();
  }

  @Test
  void aPut_wakesTheSharedTier() throws Exception {
    HeldRemote remote = remoteWith(1);
    remote.gate.countDown();
    Setup s = setup(remote);
    assertThat(remote.warmUps).hasValue(0);
    byte[] body = "built here".getBytes(StandardCharsets.UTF_8);
    s.cache()
        .put(
            id("built"),
            sha(body),
            body.length,
            sink -> {
              sink.write(body);
              return body.length;
            });
    assertThat(remote.warmUps).hasValue(1);
    s.cache().close();
    assertThat(remote.manifestFetches).hasValue(1);
  }

  @Test
  void anEmptyLocalDir_wakesTheSharedTierAtOnce_andPrefetchesBeforeAnyGet() throws Exception {
    HeldRemote remote = remoteWith(3);
    remote.gate.countDown();
    Setup s = setup(remote);
    assertThat(s.cache().wakeIfLocalIsEmpty()).isSameAs(s.cache());
    assertThat(remote.warmUps).hasValue(1);
    awaitPrefetched(s, 3);
    assertThat(s.stats().get(RemoteLog.PREFETCHED)).isEqualTo(3);
    for (Key k : remote.manifest) {
      assertThat(s.cache().get(k).get(5, TimeUnit.SECONDS)).isPresent();
    }
    assertThat(remote.singleGets).as("all came by batch").hasValue(0);
    s.cache().close();

    HeldRemote later = remoteWith(3);
    Setup warm = setup(later); // the same local dir, which now holds entries
    warm.cache().wakeIfLocalIsEmpty();
    warm.cache().close();
    assertThat(later.warmUps).as("a directory with entries stays asleep").hasValue(0);
    assertThat(later.manifestFetches).hasValue(0);
  }

  @Test
  void anEmptyLocalDir_doesNotPrefetchWhatGoAskedForOrStoredBeforeTheManifestCame()
      throws Exception {
    HeldRemote remote = remoteWith(4);
    remote.gate.countDown();
    remote.manifestGate = new CountDownLatch(1);
    Setup s = setup(remote);
    s.cache().wakeIfLocalIsEmpty();
    Key asked = remote.manifest.get(0);
    Key built = remote.manifest.get(1);
    assertThat(s.cache().get(asked).get(10, TimeUnit.SECONDS))
        .as("fetched by its own get")
        .isPresent();
    byte[] body = remote.objects.get(built);
    s.cache()
        .put(
            built,
            sha(body),
            body.length,
            sink -> {
              sink.write(body);
              return body.length;
            });
    remote.manifestGate.countDown();
    awaitPrefetched(s, 2);
    s.cache().close();
    assertThat(remote.batched)
        .containsExactlyInAnyOrder(remote.manifest.get(2), remote.manifest.get(3));
    assertThat(s.stats().get(RemoteLog.PREFETCHED)).isEqualTo(2);
    assertThat(remote.singleGets).hasValue(1);
  }

  @Test
  void aSettledManifest_prefetchesWhatGoAskedFor_theRestComesWhenAskedFor() throws Exception {
    HeldRemote remote = remoteWith(4);
    remote.asked = 2;
    remote.settled = true;
    remote.gate.countDown();
    Setup s = woken(remote);
    awaitPrefetched(s, 2);
    assertThat(s.stats().get(RemoteLog.PREFETCH_LISTED)).isEqualTo(4);
    Key onlyStored = remote.manifest.get(3);
    assertThat(s.cache().get(onlyStored).get(10, TimeUnit.SECONDS))
        .as("fetched by its get")
        .isPresent();
    s.cache().close();
    assertThat(remote.batched).containsExactly(remote.manifest.get(0), remote.manifest.get(1));
    assertThat(s.stats().get(RemoteLog.PREFETCHED)).isEqualTo(2);
    assertThat(remote.singleGets).hasValue(1);
    // it is now asked for: the report says so
    assertThat(remote.added)
        .singleElement()
        .satisfies(m -> assertThat(m.ids().subList(0, m.asked())).containsExactly(onlyStored));

    HeldRemote unsettled = remoteWith(4);
    unsettled.asked = 2;
    unsettled.gate.countDown();
    Setup t = woken(unsettled); // the same local dir, which holds all but the third
    awaitHeld(t, 1);
    t.cache().close();
    assertThat(unsettled.batched)
        .as("a warm dir: the listed id it lacks is held, not prefetched")
        .isEmpty();
  }

  @Test
  void aWarmLocalDir_holdsWhatItLacks_untilGosMissesAreAmongIt_thenFetchesTheRest()
      throws Exception {
    int n = Hold.MATCHES_TO_RELEASE + 6;
    HeldRemote first = remoteWith(2);
    prefetchedAll(first).cache().close(); // the local dir now holds two of the listed ids

    HeldRemote remote = remoteWith(2 + n);
    remote.gate.countDown();
    Setup s = woken(remote);
    awaitHeld(s, n);
    Thread.sleep(100);
    assertThat(remote.batches).as("nothing prefetched yet").hasValue(0);
    for (int i = 0; i < Hold.MATCHES_TO_RELEASE; i++) {
      assertThat(s.cache().get(remote.manifest.get(2 + i)).get(10, TimeUnit.SECONDS)).isPresent();
    }
    // the fourth miss among the held ids releases the rest, which are not fetched twice
    awaitPrefetched(s, n - Hold.MATCHES_TO_RELEASE);
    assertThat(s.stats().get(RemoteLog.PREFETCH_RELEASED)).isEqualTo(n - Hold.MATCHES_TO_RELEASE);
    for (Key k : remote.manifest) {
      assertThat(s.cache().get(k).get(10, TimeUnit.SECONDS)).isPresent();
    }
    assertThat(remote.singleGets).hasValue(Hold.MATCHES_TO_RELEASE);
    s.cache().close();
    assertThat(s.stats().get(RemoteLog.PREFETCH_WASTED_BYTES)).isZero();

    HeldRemote stale = remoteWith(2 + n + 3); // three more a warm build never asks for
    stale.gate.countDown();
    Setup t = woken(stale);
    awaitHeld(t, 3);
    t.cache().close();
    assertThat(stale.batches).as("go's misses were not among them: never fetched").hasValue(0);
    assertThat(t.stats().get(RemoteLog.PREFETCHED)).isZero();
  }

  @Test
  void fetchAhead_fetchesWhatAWarmDirLacks_noneHeld_andReportsNothing() throws Exception {
    HeldRemote first = remoteWith(2);
    prefetchedAll(first).cache().close(); // the local dir now holds two of the listed ids

    HeldRemote remote = remoteWith(7);
    remote.gate.countDown();
    Stats stats = new Stats();
    RemoteLog log = new RemoteLog(stats, new PrintStream(new ByteArrayOutputStream()));
    DiskStore local = DiskStore.open(tmp.resolve("local"), System::currentTimeMillis, stats);
    BestEffort tier = new BestEffort(remote, "test", BestEffort.Policy.DEFAULT, log);
    Prefetch p = new Prefetch(local, tier, () -> id("context"), new Prefetch.Limits(2, 1), log);
    Prefetch.Ahead a = p.fetchAhead(java.time.Duration.ofSeconds(10));
    Uploader up = new Uploader(tier, Uploader.Limits.DEFAULT, log);
    p.close(up);
    up.close();

    assertThat(a).isEqualTo(new Prefetch.Ahead(7, 2, true));
    assertThat(remote.batched).containsExactlyInAnyOrderElementsOf(remote.manifest.subList(2, 7));
    assertThat(stats.get(RemoteLog.PREFETCHED)).isEqualTo(5);
    for (Key k : remote.manifest) {
      assertThat(local.hasRecord(k)).as("on disk once fetchAhead returned").isTrue();
    }
    assertThat(remote.added).as("no build ran: no manifest report").isEmpty();
    assertThat(remote.singleGets).hasValue(0);
  }

  @Test
  void fetchAhead_givesUpAtItsLimit_andLeavesTheRest() throws Exception {
    HeldRemote remote = remoteWith(4); // its gate stays shut: every batch hangs
    Stats stats = new Stats();
    RemoteLog log = new RemoteLog(stats, new PrintStream(new ByteArrayOutputStream()));
    DiskStore local = DiskStore.open(tmp.resolve("local"), System::currentTimeMillis, stats);
    Prefetch p = new Prefetch(local, remote, () -> id("context"), new Prefetch.Limits(2, 1), log);
    long t0 = System.nanoTime();
    Prefetch.Ahead a = p.fetchAhead(java.time.Duration.ofMillis(300));
    assertThat(a.finished()).isFalse();
    assertThat(a.listed()).isEqualTo(4);
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(6);
    assertThat(stats.get(RemoteLog.PREFETCHED)).isZero();
  }

  @Test
  void aWarmLocalDir_keepsHolding_whenMostOfGosMissesAreNotListed() throws Exception {
    HeldRemote first = remoteWith(2);
    prefetchedAll(first).cache().close();
    HeldRemote remote = remoteWith(2 + Hold.MATCHES_TO_RELEASE + 3);
    remote.gate.countDown();
    Setup s = woken(remote);
    awaitHeld(s, Hold.MATCHES_TO_RELEASE + 3);
    for (int i = 0; i < 2 * Hold.MATCHES_TO_RELEASE; i++) {
      assertThat(s.cache().get(id("built here only " + i)).get(10, TimeUnit.SECONDS)).isEmpty();
    }
    for (int i = 0; i < Hold.MATCHES_TO_RELEASE; i++) {
      assertThat(s.cache().get(remote.manifest.get(2 + i)).get(10, TimeUnit.SECONDS)).isPresent();
    }
    s.cache().close();
    assertThat(remote.batches).as("a third of go's misses listed: still held").hasValue(0);
    assertThat(s.stats().get(RemoteLog.PREFETCH_RELEASED)).isZero();
  }

  /** Waits (10 s at most) until {@code n} listed ids were held back. */
  private static void awaitHeld(Setup s, long n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (s.stats().get(RemoteLog.PREFETCH_HELD) < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(s.stats().get(RemoteLog.PREFETCH_HELD)).isEqualTo(n);
  }

  @Test
  void aColdBuildsReport_listsWhatGoAskedForFirst_andDoesNotSettle() throws Exception {
    HeldRemote remote = remoteWith(0);
    remote.gate.countDown();
    Setup s = setup(remote);
    List<Key> asked = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Key a = id("built " + i);
      asked.add(a);
      assertThat(s.cache().get(a).get(10, TimeUnit.SECONDS)).isEmpty();
    }
    Key notAsked = id("stored only");
    for (Key k : List.of(asked.get(0), notAsked, asked.get(1), asked.get(2))) {
      byte[] body = ("body of " + k.hex()).getBytes(StandardCharsets.UTF_8);
      s.cache()
          .put(
              k,
              sha(body),
              body.length,
              sink -> {
                sink.write(body);
                return body.length;
              });
    }
    assertThat(s.cache().get(asked.get(0)).get(10, TimeUnit.SECONDS))
        .as("one hit of three")
        .isPresent();
    s.cache().close();
    List<Key> ids = new ArrayList<>(asked);
    ids.add(notAsked);
    assertThat(remote.added).containsExactly(new Manifest(ids, 3, false));
  }

  @Test
  void theFirstGetOfAPrefetchedEntry_isAnsweredWithoutReadingItsRecord_aPutReplacesIt()
      throws Exception {
    HeldRemote remote = remoteWith(2);
    Setup s = prefetchedAll(remote);
    Key first = remote.manifest.get(0);
    Key second = remote.manifest.get(1);
    DiskStore disk = DiskStore.open(tmp.resolve("local"), System::currentTimeMillis, new Stats());
    java.nio.file.Files.deleteIfExists(disk.recordPath(first));
    try (var packs = java.nio.file.Files.list(tmp.resolve("local/p"))) {
      for (java.nio.file.Path p : packs.toList()) {
        java.nio.file.Files.delete(p); // prefetched records are packed
      }
    }
    Optional<Hit> h = s.cache().get(first).get(10, TimeUnit.SECONDS);
    assertThat(h).as("from the prefetch's own note").isPresent();
    assertThat(h.get().diskPath()).exists();
    assertThat(h.get().entry().outputId()).isEqualTo(sha(remote.objects.get(first)));
    assertThat(remote.singleGets).as("no record read (it is gone), no remote get").hasValue(0);
    assertThat(s.stats().get(RemoteLog.PREFETCH_USED)).isEqualTo(1);

    byte[] other = "built again, differently".getBytes(StandardCharsets.UTF_8);
    s.cache()
        .put(
            second,
            sha(other),
            other.length,
            sink -> {
              sink.write(other);
              return other.length;
            });
    Optional<Hit> again = s.cache().get(second).get(10, TimeUnit.SECONDS);
    assertThat(again).isPresent();
    assertThat(again.get().entry().outputId()).as("what go stored last").isEqualTo(sha(other));
    s.cache().close();
    assertThat(s.stats().get(RemoteLog.PREFETCH_WASTED_BYTES))
        .as("the replaced entry went unused")
        .isEqualTo(remote.objects.get(second).length);
  }
}
