package dev.progcache.disk;

import static dev.progcache.disk.CacheFixture.DAY;
import static dev.progcache.disk.CacheFixture.HOUR;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.testing.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Records packed many to a file, as a prefetch writes them into a fresh directory. */
@Timeout(30)
class PacksTest {
  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(1_790_000_000L * 1_000_000_000L);
  private final Random rnd = new Random(3);
  private DiskStore store;

  @BeforeEach
  void open() throws Exception {
    store = DiskStore.open(dir, clock::get, new Stats());
  }

  private DiskStore another() throws IOException {
    return DiskStore.open(dir, clock::get, new Stats());
  }

  private Key storePacked(DiskStore s, int size) throws IOException {
    byte[] body = new byte[size];
    rnd.nextBytes(body);
    Key action = CacheFixture.randomKey(rnd);
    s.storePacked(
        action,
        Key.of(CacheFixture.sha256(body)),
        size,
        out -> {
          out.write(body);
          return body.length;
        });
    return action;
  }

  private List<Path> packFiles() throws IOException {
    Path p = dir.resolve(Packs.DIR);
    if (!Files.isDirectory(p)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(p)) {
      return s.filter(f -> f.toString().endsWith(Packs.SUFFIX)).toList();
    }
  }

  private long recordFiles() throws IOException {
    try (Stream<Path> s = Files.walk(dir.resolve("a"))) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  private void lastUse(Hit h, long nanos) throws IOException {
    Files.setLastModifiedTime(h.diskPath(), FileTime.from(nanos, TimeUnit.NANOSECONDS));
  }

  @Test
  void packedEntries_areHitsAtOnce_andForOtherProcessesAfterTheFlush() throws Exception {
    Key a = storePacked(store, 300);
    Key b = storePacked(store, 40);
    DiskStore other = another();
    assertThat(store.lookup(a)).isPresent();
    assertThat(other.lookup(a)).as("not written yet").isEmpty();

    assertThat(store.flushPacked()).isEqualTo(2);

    assertThat(other.lookup(a)).as("found on a miss: the pack directory changed").isPresent();
    assertThat(another().lookup(b)).get().extracting(h -> h.entry().size()).isEqualTo(40L);
    assertThat(recordFiles()).as("no file per record").isZero();
    assertThat(packFiles()).hasSize(1);
    assertThat(Files.size(packFiles().get(0))).isEqualTo(2L * Record.LENGTH);
  }

  @Test
  void aDirectoryHoldingOnlyPacks_isNotEmpty_andHasTheirRecords() throws Exception {
    assertThat(store.isEmpty()).isTrue();
    Key a = storePacked(store, 10);
    assertThat(store.isEmpty()).as("a pack is about to be written").isFalse();
    store.flushPacked();
    DiskStore other = another();
    assertThat(other.isEmpty()).isFalse();
    assertThat(other.hasRecord(a)).isTrue();
    assertThat(other.hasRecord(CacheFixture.randomKey(rnd))).isFalse();
  }

  @Test
  void aPackedRecordWhoseBodyIsGone_isAMiss() throws Exception {
    Key a = storePacked(store, 10);
    store.flushPacked();
    Files.delete(store.lookup(a).orElseThrow().diskPath());
    assertThat(store.lookup(a)).isEmpty();
    assertThat(another().lookup(a)).isEmpty();
  }

  @Test
  void aTornPack_keepsItsWholeRecords_andSkipsTheRest() throws Exception {
    Key a = storePacked(store, 10);
    Key b = storePacked(store, 20);
    store.flushPacked();
    Path pack = packFiles().get(0);
    byte[] whole = Files.readAllBytes(pack);
    byte[] torn = new byte[whole.length + 50];
    System.arraycopy(whole, 0, torn, 0, whole.length);
    System.arraycopy(whole, 0, torn, whole.length, 50); // half a line more
    torn[Record.LENGTH + 5] ^= 1; // the second record's action id no longer matches itself
    Files.write(pack, torn);

    DiskStore other = another();
    assertThat(other.lookup(a)).isPresent();
    assertThat(other.lookup(b)).isEmpty();
  }

  @Test
  void trim_keepsBodiesNamedOnlyByPacks_dropsRecordsOfTrimmedBodies_andMergesThePacks()
      throws Exception {
    Key old = storePacked(store, 100);
    Key kept = storePacked(store, 100);
    store.flushPacked();
    Key later = storePacked(store, 100);
    store.flushPacked();
    assertThat(packFiles()).hasSize(2);
    clock.addAndGet(3 * HOUR); // past the grace period: an unnamed body would be an orphan
    lastUse(store.lookup(old).orElseThrow(), clock.get() - 6 * DAY);
    lastUse(store.lookup(kept).orElseThrow(), clock.get() - 3 * HOUR);
    lastUse(store.lookup(later).orElseThrow(), clock.get() - 3 * HOUR);

    TrimReport r = new Trimmer(store, clock::get).trim(TrimPolicy.DEFAULT, false).orElseThrow();

    assertThat(r.removed().files()).as("only the body unused for 6 days").isEqualTo(1);
    assertThat(r.records()).as("its packed record").isEqualTo(1);
    assertThat(packFiles()).hasSize(1);
    DiskStore other = another();
    assertThat(other.lookup(kept)).isPresent();
    assertThat(other.lookup(later)).isPresent();
    assertThat(other.lookup(old)).isEmpty();
    assertThat(Inventory.of(other).packed()).hasSize(2);
  }

  @Test
  void merge_beyondTheBound_turnsTheOldestPackedRecordsIntoRecordFiles() throws Exception {
    Key first = storePacked(store, 10);
    clock.addAndGet(1_000);
    Key second = storePacked(store, 10);
    clock.addAndGet(1_000);
    Key third = storePacked(store, 10);
    store.flushPacked();

    int dropped = Packs.merge(store, Inventory.of(store).packed(), Set.of(), clock.get(), 2);

    assertThat(dropped).isZero();
    assertThat(Files.exists(store.recordPath(first))).isTrue();
    assertThat(Files.exists(store.recordPath(second))).isFalse();
    assertThat(Inventory.of(store).packed())
        .extracting(Inventory.PackedRecord::action)
        .containsExactlyInAnyOrder(second, third);
    DiskStore other = another();
    for (Key k : List.of(first, second, third)) {
      assertThat(other.lookup(k)).as("%s", k).isPresent();
    }
  }

  @Test
  void aRecordFileWrittenByAPut_winsOverAPackedRecordOfTheSameAction() throws Exception {
    Key a = storePacked(store, 10);
    store.flushPacked();
    byte[] other = {9, 9, 9};
    Key output = Key.of(CacheFixture.sha256(other));
    another()
        .put(
            a,
            output,
            other.length,
            out -> {
              out.write(other);
              return other.length;
            });
    assertThat(store.lookup(a)).get().extracting(h -> h.entry().outputId()).isEqualTo(output);
    assertThat(another().lookup(a)).get().extracting(h -> h.entry().outputId()).isEqualTo(output);
  }

  @Test
  void aStoreClosedBeforeItsFlush_writesItsPackedRecords() throws Exception {
    Key a = storePacked(store, 10);
    store.close();
    assertThat(another().lookup(a)).isPresent();
  }
}
