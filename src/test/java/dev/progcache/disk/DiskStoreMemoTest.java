package dev.progcache.disk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Entry;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.testing.Hashes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A store that remembers its records (the daemon's): gets skip the record file, not the body. */
@Timeout(30)
class DiskStoreMemoTest {
  @TempDir Path dir;
  private final AtomicLong clock = new AtomicLong(1_700_000_000_123_456_789L);
  private final Stats stats = new Stats();
  private final Random rnd = new Random(11);
  private DiskStore store;

  @BeforeEach
  void open() throws Exception {
    store = DiskStore.open(dir, clock::get, stats, true);
  }

  private Key key() {
    return CacheFixture.randomKey(rnd);
  }

  private static Key sha(byte[] b) {
    return Hashes.key(b);
  }

  private static Path put(DiskStore s, Key a, byte[] body) throws Exception {
    return CacheFixture.putBody(s, a, body);
  }

  @Test
  void aRememberedRecord_isNotReadAgain() throws Exception {
    Key a = key();
    Path body = put(store, a, new byte[] {1, 2, 3});
    Files.write(store.recordPath(a), new byte[] {'x'}); // would be a corrupt record if read
    assertThat(store.lookup(a)).get().extracting(h -> h.diskPath()).isEqualTo(body);
    assertThat(stats.get("corrupt-records")).isZero();
  }

  @Test
  void aRecordReadFromDisk_isRememberedToo() throws Exception {
    Key a = key();
    Path body = put(DiskStore.open(dir, clock::get, new Stats()), a, new byte[] {4, 5});
    assertThat(store.lookup(a)).isPresent();
    Files.delete(store.recordPath(a));
    assertThat(store.lookup(a)).get().extracting(h -> h.diskPath()).isEqualTo(body);
  }

  @Test
  void aRememberedHit_stillChecksItsBody_andForgetsItWhenGone() throws Exception {
    Key a = key();
    Path body = put(store, a, new byte[] {1, 2, 3, 4});
    Files.delete(body);
    assertThat(store.lookup(a)).isEmpty();
    assertThat(store.recordPath(a)).as("dangling record removed").doesNotExist();
  }

  @Test
  void aRememberedHit_whoseBodyChangedSize_isAMiss_andBothAreRemoved() throws Exception {
    Key a = key();
    Path body = put(store, a, new byte[] {1, 2, 3, 4});
    Files.write(body, new byte[] {1});
    assertThat(store.lookup(a)).isEmpty();
    assertThat(body).doesNotExist();
    assertThat(store.recordPath(a)).doesNotExist();
  }

  @Test
  void aRecordRewrittenByAnotherProcess_isFoundOnceTheRememberedBodyIsGone() throws Exception {
    Key a = key();
    Path old = put(store, a, new byte[] {1});
    byte[] newer = {2, 2};
    Path now = put(DiskStore.open(dir, clock::get, new Stats()), a, newer);
    assertThat(store.lookup(a)).get().extracting(h -> h.diskPath()).isEqualTo(old);
    Files.delete(old); // e.g. trimmed
    assertThat(store.lookup(a))
        .get()
        .extracting(h -> h.entry())
        .isEqualTo(new Entry(sha(newer), 2, clock.get()));
    assertThat(store.lookup(a).orElseThrow().diskPath()).isEqualTo(now);
  }

  @Test
  void theMemo_isBounded() {
    RecordMemo m = new RecordMemo();
    Entry e = new Entry(key(), 1, 1);
    for (int i = 0; i <= RecordMemo.MAX_ENTRIES; i++) {
      byte[] b = new byte[32];
      b[0] = (byte) i;
      b[1] = (byte) (i >> 8);
      b[2] = (byte) (i >> 16);
      m.remember(Key.of(b), e);
    }
    assertThat(m.size()).isBetween(1, RecordMemo.MAX_ENTRIES);
  }
}
