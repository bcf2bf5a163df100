package dev.progcache.server.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class StatusHistoryTest {
  private static final long MIN = StatusHistory.MINUTE;
  private static final long T0 =
      1_800_000_000_000L / (10 * MIN) * (10 * MIN); // on a 10-minute boundary
  @TempDir Path tmp;

  private static long[] totals(long hit, long miss, long put) {
    return new long[] {hit, miss, hit, 0, put, 0};
  }

  @Test
  void samples_landInTheBucketsOfTheirTime_deltasOnly() {
    StatusHistory h = new StatusHistory();
    h.sample(T0 + 1_000, totals(5, 5, 2));
    h.sample(T0 + 30_000, totals(8, 6, 2)); // same minute: +3 hits, +1 miss
    h.sample(T0 + MIN + 1, totals(18, 6, 3)); // next minute: +10 hits, +1 put
    List<StatusHistory.Bucket> hour = h.lastHour(T0 + MIN + 2, totals(18, 6, 3));
    assertThat(hour).hasSize(StatusHistory.HOUR_BUCKETS);
    StatusHistory.Bucket now = hour.getLast();
    StatusHistory.Bucket before = hour.get(hour.size() - 2);
    assertThat(now.start()).isEqualTo(T0 + MIN);
    assertThat(before.start()).isEqualTo(T0);
    assertThat(before.get(StatusHistory.Field.ACTION_HIT)).isEqualTo(8);
    assertThat(before.get(StatusHistory.Field.ACTION_MISS)).isEqualTo(6);
    assertThat(now.get(StatusHistory.Field.ACTION_HIT)).isEqualTo(10);
    assertThat(now.get(StatusHistory.Field.PUT_OK)).isEqualTo(1);
    // the day ring holds both minutes in one ten-minute bucket
    StatusHistory.Bucket day = h.lastDay(T0 + MIN + 2, totals(18, 6, 3)).getLast();
    assertThat(day.widthMillis()).isEqualTo(10 * MIN);
    assertThat(day.get(StatusHistory.Field.ACTION_HIT)).isEqualTo(18);
    assertThat(h.lastDay(T0, totals(0, 0, 0))).hasSize(StatusHistory.DAY_BUCKETS);
  }

  @Test
  void snapshot_addsWhatHappenedSinceTheLastSample_toTheCurrentBucket() {
    StatusHistory h = new StatusHistory();
    h.sample(T0, totals(1, 0, 0));
    StatusHistory.Bucket now = h.lastHour(T0 + 2_000, totals(4, 2, 0)).getLast();
    assertThat(now.get(StatusHistory.Field.ACTION_HIT)).isEqualTo(4);
    assertThat(now.get(StatusHistory.Field.ACTION_MISS)).isEqualTo(2);
    assertThat(now.requests()).isEqualTo(4 + 2 + 4);
  }

  @Test
  void oldBuckets_fallOutOfTheRing_andAreNotReportedAgain() {
    StatusHistory h = new StatusHistory();
    h.sample(T0, totals(7, 0, 0));
    long later = T0 + 61 * MIN;
    h.sample(later, totals(7, 0, 0));
    List<StatusHistory.Bucket> hour = h.lastHour(later, totals(7, 0, 0));
    assertThat(hour.stream().mapToLong(StatusHistory.Bucket::requests).sum()).isZero();
    assertThat(hour.getFirst().start()).isEqualTo(later / MIN * MIN - 59 * MIN);
    assertThat(
            h.lastDay(later, totals(7, 0, 0)).stream()
                .mapToLong(StatusHistory.Bucket::requests)
                .sum())
        .isEqualTo(14);
  }

  @Test
  void counterThatWentDown_countsFromZero() {
    StatusHistory h = new StatusHistory();
    h.sample(T0, totals(100, 0, 0));
    h.sample(T0 + 1000, totals(3, 0, 0));
    assertThat(h.lastHour(T0 + 1000, totals(3, 0, 0)).getLast().get(StatusHistory.Field.ACTION_HIT))
        .isEqualTo(103);
  }

  @Test
  void saveThenLoad_keepsBucketsStillInRange() throws Exception {
    StatusHistory h = new StatusHistory();
    h.sample(T0 + 5, totals(3, 1, 1));
    h.sample(T0 + 5 * MIN, totals(9, 1, 1));
    Path f = tmp.resolve("status-history.json");
    h.save(f);
    assertThat(tmp.toFile().list()).containsExactly("status-history.json"); // no temp file left

    StatusHistory back = new StatusHistory();
    long restart = T0 + 6 * MIN;
    back.load(f, restart);
    List<StatusHistory.Bucket> hour = back.lastHour(restart, totals(0, 0, 0));
    assertThat(hour.get(hour.size() - 7).get(StatusHistory.Field.ACTION_HIT)).isEqualTo(3);
    assertThat(hour.get(hour.size() - 2).get(StatusHistory.Field.ACTION_HIT)).isEqualTo(6);

    StatusHistory tooLate = new StatusHistory();
    tooLate.load(f, T0 + 2 * 24 * 60 * MIN);
    assertThat(
            tooLate.lastDay(T0 + 2 * 24 * 60 * MIN, totals(0, 0, 0)).stream()
                .mapToLong(StatusHistory.Bucket::requests)
                .sum())
        .isZero();
  }

  @Test
  void load_missingFileIsEmpty_garbageIsAnError() throws Exception {
    StatusHistory h = new StatusHistory();
    h.load(tmp.resolve("none"), T0);
    assertThat(h.lastHour(T0, totals(0, 0, 0)).getLast().requests()).isZero();
    Path bad = tmp.resolve("bad");
    Files.writeString(bad, "{\"hour\":[[1,2]]}");
    assertThatThrownBy(() -> h.load(bad, T0))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(bad.toString());
    Files.writeString(bad, "not json");
    assertThatThrownBy(() -> h.load(bad, T0)).isInstanceOf(IOException.class);
  }
}
