package dev.progcache.disk;

import static dev.progcache.disk.CacheFixture.DAY;
import static dev.progcache.disk.CacheFixture.HOUR;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Key;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class TrimmerTest {
  @TempDir Path dir;
  CacheFixture c;

  @BeforeEach
  void open() throws Exception {
    c = new CacheFixture(dir);
  }

  private TrimReport trim(TrimPolicy p) throws Exception {
    return c.trimmer().trim(p, false).orElseThrow();
  }

  @Test
  void trim_keepsRecentlyUsed_removesUnusedLongerThanMaxAge() throws Exception {
    Key old = c.put(100);
    c.lastUse(old, c.clock.get() - 6 * DAY);
    Key recent = c.put(100);
    c.lastUse(recent, c.clock.get() - 4 * DAY);
    Key fresh = c.put(100);

    TrimReport r = trim(TrimPolicy.DEFAULT);

    assertThat(c.present(old)).isFalse();
    assertThat(c.present(recent)).isTrue();
    assertThat(c.present(fresh)).isTrue();
    assertThat(r.removed().files()).isEqualTo(1);
    assertThat(r.records()).isEqualTo(1);
    assertThat(Files.exists(c.store.recordPath(old))).isFalse();
  }

  @Test
  void trim_overMaxSize_removesLeastRecentlyUsedFirst() throws Exception {
    List<Key> keys = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Key k = c.put(1000);
      c.lastUse(k, c.clock.get() - (20 - i) * HOUR); // keys[0] least recently used
      keys.add(k);
    }
    TrimReport r = trim(new TrimPolicy(5500, Duration.ofDays(5), Duration.ofDays(1)));

    assertThat(r.after().bytes()).isLessThanOrEqualTo(5500);
    assertThat(r.removed().files()).isEqualTo(5);
    for (int i = 0; i < 10; i++) {
      assertThat(c.present(keys.get(i))).as("entry %d", i).isEqualTo(i >= 5);
    }
  }

  @Test
  void trim_neverRemovesBodiesUsedWithinGracePeriod_evenOverSize() throws Exception {
    Key a = c.put(1000);
    c.lastUse(
        a, c.clock.get() - 30 * 60 * 1_000_000_000L); // used 30 minutes ago, not touched since
    Key b = c.put(1000);

    TrimReport r = trim(new TrimPolicy(1, Duration.ofMinutes(1), Duration.ofDays(1)));

    assertThat(c.present(a)).isTrue();
    assertThat(c.present(b)).isTrue();
    assertThat(r.removed().files()).isZero();
  }

  @Test
  void trim_dryRun_removesNothingButReports() throws Exception {
    Key old = c.put(100);
    c.lastUse(old, c.clock.get() - 10 * DAY);

    TrimReport r = c.trimmer().trim(TrimPolicy.DEFAULT, true).orElseThrow();

    assertThat(r.removed().files()).isEqualTo(1);
    assertThat(r.removed().bytes()).isEqualTo(100);
    assertThat(c.present(old)).isTrue();
    assertThat(c.trimmer().lastTrim()).isEmpty();
  }

  @Test
  void trim_removesDanglingRecordsOrphanBodiesAndStaleTemps() throws Exception {
    Key dangling = c.put(10);
    Key orphan = c.put(10);
    c.lastUse(dangling, c.clock.get() - 3 * HOUR);
    c.lastUse(orphan, c.clock.get() - 3 * HOUR);
    Files.delete(c.body(dangling));
    Files.setLastModifiedTime(c.store.recordPath(dangling), time(c.clock.get() - 3 * HOUR));
    Files.delete(c.store.recordPath(orphan));
    Path staleTemp = Files.writeString(c.body(orphan).resolveSibling(".tmp-dead"), "x");
    Files.setLastModifiedTime(staleTemp, time(c.clock.get() - 2 * HOUR));
    Path liveTemp = Files.writeString(c.body(orphan).resolveSibling(".tmp-live"), "x");
    Files.setLastModifiedTime(liveTemp, time(c.clock.get()));

    TrimReport r = trim(TrimPolicy.DEFAULT);

    assertThat(Files.exists(c.store.recordPath(dangling))).isFalse();
    assertThat(Files.exists(c.body(orphan))).isFalse();
    assertThat(Files.exists(staleTemp)).isFalse();
    assertThat(Files.exists(liveTemp)).isTrue();
    assertThat(r.temps()).isEqualTo(1);
  }

  @Test
  void trim_recentRecordWithoutBody_isKept_aPutMayBeInProgress() throws Exception {
    Key k = c.put(10);
    Files.delete(c.body(k));

    trim(TrimPolicy.DEFAULT);

    assertThat(Files.exists(c.store.recordPath(k))).isTrue();
  }

  @Test
  void s19_clockJumpsForward_doesNotWipeTheCache() throws Exception {
    List<Key> keys = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      keys.add(c.put(100)); // all used "today"
    }
    trim(TrimPolicy.DEFAULT); // records today's reference in trim.txt
    c.clock.addAndGet(TimeUnit.DAYS.toNanos(365 * 10)); // the clock jumps ten years ahead

    assertThat(c.trimmer().due(TrimPolicy.DEFAULT)).isTrue();
    trim(TrimPolicy.DEFAULT);

    for (Key k : keys) {
      assertThat(c.present(k)).isTrue();
    }
  }

  @Test
  void s19_afterForwardJump_entriesUnusedForMaxAgeOfTrimTimeGoEventually() throws Exception {
    Key unused = c.put(100);
    trim(TrimPolicy.DEFAULT);
    c.clock.addAndGet(TimeUnit.DAYS.toNanos(3650));
    int trims = 0;
    while (c.present(unused) && trims < 20) {
      trim(TrimPolicy.DEFAULT);
      trims++;
    }
    assertThat(c.present(unused)).isFalse();
    assertThat(trims).as("the age reference advances by at most max-age per trim").isGreaterThan(1);
  }

  @Test
  void s19_clockGoesBack_keepsFutureEntriesAndAgesThemFromNow() throws Exception {
    Key k = c.put(100);
    trim(TrimPolicy.DEFAULT);
    long future = c.clock.get();
    c.clock.addAndGet(-TimeUnit.DAYS.toNanos(365)); // the clock goes back a year

    assertThat(c.trimmer().due(TrimPolicy.DEFAULT)).as("a stamp from the future is due").isTrue();
    trim(TrimPolicy.DEFAULT);

    assertThat(c.present(k)).isTrue();
    long mtime = Files.getLastModifiedTime(c.body(k)).to(TimeUnit.NANOSECONDS);
    assertThat(mtime).isLessThan(future).isLessThanOrEqualTo(c.clock.get());
    assertThat(c.trimmer().lastTrim().getAsLong()).isLessThanOrEqualTo(c.clock.get());
    c.clock.addAndGet(6 * DAY);
    trim(TrimPolicy.DEFAULT); // the reference catches up by at most max-age per trim
    assertThat(c.trimmer().due(TrimPolicy.DEFAULT)).isTrue();
    trim(TrimPolicy.DEFAULT);
    assertThat(c.present(k)).as("unused for 6 days after the clock went back").isFalse();
  }

  @Test
  void due_onlyOncePerInterval() throws Exception {
    c.put(10);
    assertThat(c.trimmer().due(TrimPolicy.DEFAULT)).as("never trimmed").isTrue();
    assertThat(c.trimmer().maybeTrim(TrimPolicy.DEFAULT)).isPresent();
    c.clock.addAndGet(23 * HOUR);
    assertThat(c.trimmer().maybeTrim(TrimPolicy.DEFAULT)).isEmpty();
    c.clock.addAndGet(HOUR);
    assertThat(c.trimmer().maybeTrim(TrimPolicy.DEFAULT)).isPresent();
    assertThat(c.trimmer().due(new TrimPolicy(0, Duration.ZERO, Duration.ZERO)))
        .as("interval off")
        .isFalse();
  }

  @Test
  void trim_whileAnotherHoldsTheLock_doesNothing() throws Exception {
    Key old = c.put(10);
    c.lastUse(old, c.clock.get() - 10 * DAY);
    try (var ch =
            java.nio.channels.FileChannel.open(
                dir.resolve(Trimmer.LOCK),
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        var lock = ch.lock()) {
      assertThat(lock.isValid()).isTrue();
      assertThat(c.trimmer().trim(TrimPolicy.DEFAULT, false)).isEmpty();
    }
    assertThat(c.present(old)).isTrue();
    assertThat(c.trimmer().trim(TrimPolicy.DEFAULT, false)).isPresent();
    assertThat(c.present(old)).isFalse();
  }

  @Test
  void reference_advancesAtMostOneStepPastTheLastTrim() {
    TrimPolicy p = TrimPolicy.DEFAULT;
    long now = 1000 * DAY;
    assertThat(Trimmer.reference(now, java.util.OptionalLong.empty(), p)).isEqualTo(now);
    assertThat(Trimmer.reference(now, java.util.OptionalLong.of(now - DAY), p)).isEqualTo(now);
    assertThat(Trimmer.reference(now, java.util.OptionalLong.of(now + DAY), p)).isEqualTo(now);
    assertThat(Trimmer.reference(now, java.util.OptionalLong.of(now - 100 * DAY), p))
        .isEqualTo(now - 95 * DAY);
  }

  private static FileTime time(long nanos) {
    return FileTime.from(nanos, TimeUnit.NANOSECONDS);
  }
}
