package dev.progcache.disk;

import static dev.progcache.testing.Hashes.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.cache.BadPutException;
import dev.progcache.cache.Entry;
import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class DiskStoreTest {
  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(1_700_000_000_123_456_789L);
  private final Stats stats = new Stats();
  private final Random rnd = new Random(7);
  private DiskStore store;

  @BeforeEach
  void open() throws Exception {
    store = DiskStore.open(dir, clock::get, stats);
  }

  private Key someKey() {
    return CacheFixture.randomKey(rnd);
  }

  private Path put(Key a, byte[] body) throws Exception {
    return CacheFixture.putBody(store, a, body);
  }

  @Test
  void put_thenLookup_returnsEntryWithExactTimeAndPath() throws Exception {
    Key a = someKey();
    byte[] body = "hello".getBytes();
    Path p = put(a, body);
    Hit h = store.lookup(a).orElseThrow();
    assertThat(h.diskPath()).isEqualTo(p).hasBinaryContent(body);
    assertThat(h.entry()).isEqualTo(new Entry(key(body), 5, clock.get()));
    assertThat(p)
        .isEqualTo(
            dir.resolve("o").resolve(key(body).hex().substring(0, 2)).resolve(key(body).hex()));
  }

  @Test
  void manyMissesInARow_thenAHitInTheSameShard_isStillAHit_andLinksStillAreNot() throws Exception {
    byte[] hit = {7, 7, 7};
    Key a = someKey();
    put(a, hit);
    byte[] h = a.bytes();
    for (int i = 0; i < 20; i++) { // a cold build: misses, in shards that exist
      byte[] m = h.clone();
      m[31] = (byte) (m[31] + 1 + i);
      assertThat(store.lookup(Key.of(m))).isEmpty();
    }
    assertThat(store.lookup(a)).isPresent();
    Key b = someKey();
    Path elsewhere = Files.write(dir.resolve("elsewhere-record"), new byte[] {1});
    Files.createDirectories(store.recordPath(b).getParent());
    Files.createSymbolicLink(store.recordPath(b), elsewhere);
    for (int i = 0; i < 5; i++) { // misses in b's shard: b is looked up the cold build's way
      byte[] m = b.bytes().clone();
      m[31] = (byte) (m[31] + 1 + i);
      assertThat(store.lookup(Key.of(m))).isEmpty();
    }
    assertThat(store.lookup(b)).isEmpty();
    assertThat(Files.isSymbolicLink(store.recordPath(b))).as("removed, as before").isFalse();
    assertThat(elsewhere).exists();
  }

  @Test
  void store_returnsTheHitALookupGives_andLeavesNoTempFile() throws Exception {
    Key a = someKey();
    byte[] body = new byte[200_000]; // several copy buffers
    rnd.nextBytes(body);
    Hit stored =
        store.store(
            a,
            key(body),
            body.length,
            out -> {
              out.write(body);
              return body.length;
            });
    assertThat(store.lookup(a)).contains(stored);
    assertThat(stored.diskPath()).hasBinaryContent(body);
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void isEmpty_untilARecordIsWritten_andAgainOnceTheLastRecordIsGone() throws Exception {
    assertThat(store.isEmpty()).isTrue();
    Key a = someKey();
    put(a, new byte[] {1, 2, 3});
    assertThat(store.isEmpty()).isFalse();
    Files.delete(store.recordPath(a)); // as a trim does; its directory stays
    assertThat(store.isEmpty()).isTrue();
  }

  @Test
  void put_afterItsDirectoriesWereRemoved_makesThemAgain() throws Exception {
    byte[] first = {1, 2, 3};
    byte[] second = {4, 5, 6};
    Key a = someKey();
    put(a, first);
    // a trim that emptied both fan-out directories and removed them
    Path recDir = store.recordPath(a).getParent();
    Path bodyDir = store.bodyPath(key(first)).getParent();
    Files.delete(store.recordPath(a));
    Files.delete(store.bodyPath(key(first)));
    Files.delete(recDir);
    Files.delete(bodyDir);
    byte[] b = someKey().bytes();
    b[0] = a.bytes()[0]; // the same record directory, known to the store as made
    Key sameShard = Key.of(b);
    Path path = put(sameShard, second);
    assertThat(path).hasBinaryContent(second);
    assertThat(store.lookup(sameShard)).isPresent();
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void lookup_ofUnknownAction_isMiss() {
    assertThat(store.lookup(someKey())).isEmpty();
  }

  @Test
  void s18_lookup_corruptRecord_isMissAndRemoved() throws Exception {
    Key a = someKey();
    put(a, new byte[] {1, 2, 3});
    Path rec = store.recordPath(a);
    byte[] good = Files.readAllBytes(rec);
    good[100] = 'x';
    Files.write(rec, good);
    assertThat(store.lookup(a)).isEmpty();
    assertThat(rec).doesNotExist();
    assertThat(stats.get("corrupt-records")).isEqualTo(1);
  }

  @Test
  void s18_lookup_truncatedRecord_isMissAndRemoved() throws Exception {
    Key a = someKey();
    put(a, new byte[] {1, 2, 3});
    Path rec = store.recordPath(a);
    byte[] good = Files.readAllBytes(rec);
    Files.write(rec, java.util.Arrays.copyOf(good, good.length - 10));
    assertThat(store.lookup(a)).isEmpty();
    assertThat(rec).doesNotExist();
  }

  @Test
  void s18_lookup_zeroLengthRecord_isMissAndRemoved() throws Exception {
    Key a = someKey();
    put(a, new byte[] {1, 2, 3});
    Files.write(store.recordPath(a), new byte[0]);
    assertThat(store.lookup(a)).isEmpty();
    assertThat(store.recordPath(a)).doesNotExist();
  }

  @Test
  void s18_lookup_recordOfAnotherAction_isMiss() throws Exception {
    Key a = someKey();
    Key b = someKey();
    put(a, new byte[] {1});
    Files.createDirectories(store.recordPath(b).getParent());
    Files.copy(store.recordPath(a), store.recordPath(b));
    assertThat(store.lookup(b)).isEmpty();
  }

  @Test
  void s18_lookup_bodyOfWrongSize_isMissAndBothRemoved() throws Exception {
    Key a = someKey();
    Path body = put(a, new byte[] {1, 2, 3, 4});
    Files.write(body, new byte[] {1, 2});
    assertThat(store.lookup(a)).isEmpty();
    assertThat(body).doesNotExist();
    assertThat(store.recordPath(a)).doesNotExist();
  }

  @Test
  void lookup_missingBody_isMiss() throws Exception {
    Key a = someKey();
    Files.delete(put(a, new byte[] {9}));
    assertThat(store.lookup(a)).isEmpty();
  }

  @Test
  void put_bodyNotMatchingOutputId_throwsAndStoresNothing() throws Exception {
    Key a = someKey();
    assertThatThrownBy(
            () ->
                store.put(
                    a,
                    someKey(),
                    3,
                    out -> {
                      out.write(new byte[] {1, 2, 3});
                      return 3;
                    }))
        .isInstanceOf(BadPutException.class)
        .hasMessageContaining("sha256");
    assertThat(store.lookup(a)).isEmpty();
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void put_withAClockBefore1970_failsWithTheRecordNamed_andLeavesNoTempFile() throws Exception {
    clock.set(-1);
    Key a = someKey();
    assertThatThrownBy(() -> put(a, new byte[] {4}))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("cannot write cache record")
        .hasMessageContaining(a.hex());
    assertThat(store.lookup(a)).isEmpty();
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void put_sameBodyTwice_keepsOneFileAndUpdatesTime() throws Exception {
    byte[] body = new byte[] {5, 6};
    Key a = someKey();
    Path p1 = put(a, body);
    clock.addAndGet(1000);
    Path p2 = put(a, body);
    assertThat(p2).isEqualTo(p1);
    assertThat(store.lookup(a).orElseThrow().entry().timeNanos()).isEqualTo(clock.get());
  }

  @Test
  void lookup_touchesBodyOnlyWhenOlderThanAnHour() throws Exception {
    Key a = someKey();
    clock.set(System.currentTimeMillis() * 1_000_000L);
    Path p = put(a, new byte[] {1});
    FileTime old = FileTime.from(clock.get() - TimeUnit.HOURS.toNanos(2), TimeUnit.NANOSECONDS);
    Files.setLastModifiedTime(p, old);
    store.lookup(a);
    assertThat(Files.getLastModifiedTime(p).to(TimeUnit.SECONDS))
        .isEqualTo(clock.get() / 1_000_000_000L);
    FileTime recent =
        FileTime.from(clock.get() - TimeUnit.MINUTES.toNanos(5), TimeUnit.NANOSECONDS);
    Files.setLastModifiedTime(p, recent);
    store.lookup(a);
    assertThat(Files.getLastModifiedTime(p)).isEqualTo(recent);
  }

  @Test
  void s21_concurrentPutsOfTheSameKey_leaveOneValidEntry() throws Exception {
    Key a = someKey();
    byte[] body = new byte[200_000];
    rnd.nextBytes(body);
    Thread[] ts = new Thread[8];
    for (int i = 0; i < ts.length; i++) {
      ts[i] =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      for (int j = 0; j < 20; j++) {
                        put(a, body);
                        Optional<Hit> h = store.lookup(a);
                        assertThat(h).isPresent();
                        assertThat(h.get().diskPath()).hasBinaryContent(body);
                      }
                    } catch (Exception e) {
                      throw new AssertionError(e);
                    }
                  });
    }
    for (Thread t : ts) {
      t.join();
    }
    assertThat(store.lookup(a)).isPresent();
    assertThat(tempFiles()).isEmpty();
    assertThat(stats.get("corrupt-records") + stats.get("corrupt-bodies")).isZero();
  }

  @Test
  void open_unwritableParent_failsNamingTheDirectory() throws Exception {
    Path file = dir.resolve("plainfile");
    Files.writeString(file, "x");
    assertThatThrownBy(() -> DiskStore.open(file.resolve("cache"), clock::get, stats))
        .hasMessageContaining(file.resolve("cache").toString());
  }

  private java.util.List<Path> tempFiles() throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList();
    }
  }
}
