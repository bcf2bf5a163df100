package dev.progcache.disk;

import static dev.progcache.disk.CacheFixture.HOUR;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Key;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class VerifierTest {
  @TempDir Path dir;
  CacheFixture c;

  @BeforeEach
  void open() throws Exception {
    c = new CacheFixture(dir);
  }

  private List<Verifier.Kind> kinds(Verifier.Report r) {
    List<Verifier.Kind> k = new ArrayList<>();
    for (Verifier.Problem p : r.problems()) {
      k.add(p.kind());
    }
    return k;
  }

  @Test
  void verify_healthyCache_findsNothing() throws Exception {
    for (int i = 0; i < 5; i++) {
      c.put(1000);
    }
    Verifier.Report r = new Verifier(c.store, c.clock::get).verify(false, Verifier.Progress.NONE);
    assertThat(r.problems()).isEmpty();
    assertThat(r.bodies()).isEqualTo(5);
    assertThat(r.bytes()).isEqualTo(5000);
  }

  @Test
  void verify_findsInjectedCorruption_andRepairRemovesIt() throws Exception {
    Key good = c.put(100);
    Key flipped = c.put(100);
    Key truncatedRecord = c.put(100);
    Key missingBody = c.put(100);
    Key orphan = c.put(100);
    byte[] b = Files.readAllBytes(c.body(flipped));
    b[10] ^= 1;
    Files.write(c.body(flipped), b); // same size, wrong bytes
    Files.write(c.store.recordPath(truncatedRecord), "v1 abc".getBytes());
    Files.delete(c.body(missingBody));
    Files.delete(c.store.recordPath(orphan));
    Path temp = Files.writeString(c.body(good).resolveSibling(".tmp-crashed"), "partial");
    c.clock.addAndGet(3 * HOUR); // past the grace period for orphans and temps
    Files.setLastModifiedTime(temp, FileTime.from(c.clock.get() - 2 * HOUR, TimeUnit.NANOSECONDS));

    Verifier.Report found =
        new Verifier(c.store, c.clock::get).verify(false, Verifier.Progress.NONE);
    assertThat(kinds(found))
        .containsExactlyInAnyOrder(
            Verifier.Kind.CORRUPT_BODY,
            Verifier.Kind.DANGLING_RECORD, // the record of the corrupt body
            Verifier.Kind.CORRUPT_RECORD,
            Verifier.Kind.DANGLING_RECORD,
            Verifier.Kind.ORPHAN_BODY,
            Verifier.Kind.ORPHAN_BODY, // the body of the corrupt record
            Verifier.Kind.STALE_TEMP);
    assertThat(found.repaired()).isZero();
    assertThat(Files.exists(c.body(flipped))).as("nothing removed without --repair").isTrue();

    Verifier.Report repaired =
        new Verifier(c.store, c.clock::get).verify(true, Verifier.Progress.NONE);
    assertThat(repaired.repaired()).isEqualTo(7);
    assertThat(c.store.lookup(flipped)).isEmpty();
    assertThat(c.present(good)).isTrue();
    assertThat(new Verifier(c.store, c.clock::get).verify(false, Verifier.Progress.NONE).problems())
        .isEmpty();
  }

  @Test
  void verify_recordWithWrongSize_isReported() throws Exception {
    Key k = c.put(100);
    Path rec = c.store.recordPath(k);
    String s = Files.readString(rec).replace("00000000000000000100", "00000000000000000099");
    Files.writeString(rec, s);
    Verifier.Report r = new Verifier(c.store, c.clock::get).verify(true, Verifier.Progress.NONE);
    assertThat(kinds(r)).containsExactly(Verifier.Kind.WRONG_SIZE);
    assertThat(Files.exists(rec)).isFalse();
  }

  @Test
  void verify_reportsProgressOverAllBytes() throws Exception {
    c.put(70_000);
    c.put(30_000);
    long[] seen = new long[2];
    new Verifier(c.store, c.clock::get)
        .verify(
            false,
            new Verifier.Progress() {
              @Override
              public void start(long total) {
                seen[0] = total;
              }

              @Override
              public void advance(long bytes) {
                seen[1] += bytes;
              }
            });
    assertThat(seen).containsExactly(100_000, 100_000);
  }
}
