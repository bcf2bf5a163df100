package dev.progcache.disk;

import static dev.progcache.disk.CacheFixture.DAY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local tier's findings of the security probe (issue 27, finding 5): no symbolic link is
 * followed for records, bodies or shard directories, a re-put replaces a body that is wrong, and
 * repair and trim never touch a path outside the cache directory.
 */
@Timeout(30)
class LocalTierHoldsTest {
  @TempDir Path tmp;
  Path dir;
  Path outside;
  CacheFixture c;

  @BeforeEach
  void open() throws Exception {
    dir = tmp.resolve("cache");
    outside = Files.createDirectories(tmp.resolve("outside"));
    c = new CacheFixture(dir);
  }

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + seed);
    }
    return b;
  }

  private static Key put(DiskStore s, Key action, byte[] body) throws Exception {
    Key out = Key.of(CacheFixture.sha256(body));
    s.put(
        action,
        out,
        body.length,
        o -> {
          o.write(body);
          return body.length;
        });
    return out;
  }

  private static Key action(int i) {
    byte[] a = new byte[32];
    a[0] = (byte) i;
    a[31] = (byte) (i * 7 + 1);
    return Key.of(a);
  }

  @Test
  void s45_bodyReplacedByLinkToSameSizeForeignFile_isMiss_linkRemoved_foreignFileKept()
      throws Exception {
    byte[] body = bytes(4096, 1);
    Key out = put(c.store, action(1), body);
    Path foreign = Files.write(outside.resolve("secret"), bytes(4096, 9));
    Path b = c.store.bodyPath(out);
    Files.delete(b);
    Files.createSymbolicLink(b, foreign);

    assertThat(c.store.lookup(action(1))).isEmpty();
    assertThat(Files.exists(b, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(Files.readAllBytes(foreign)).isEqualTo(bytes(4096, 9));
  }

  @Test
  void s45_recordReplacedByLink_isMiss_linkRemoved_targetKept() throws Exception {
    put(c.store, action(2), bytes(100, 2));
    Path rec = c.store.recordPath(action(2));
    Path copy = Files.copy(rec, outside.resolve("record"));
    Files.delete(rec);
    Files.createSymbolicLink(rec, copy);

    assertThat(c.store.lookup(action(2))).isEmpty();
    assertThat(Files.isSymbolicLink(rec)).isFalse();
    assertThat(Files.exists(copy)).isTrue();
  }

  /**
   * A body and record planted outside, reached through a linked {@code o/<xx>} and {@code a/<xx>}.
   */
  private Key plantThroughLinkedShards(byte[] wrong) throws Exception {
    // the attacker's cache: right names, wrong bytes of the same size
    Path elsewhere = tmp.resolve("elsewhere");
    DiskStore other = DiskStore.open(elsewhere, c.clock::get, new Stats());
    byte[] right = bytes(wrong.length, 3);
    Key out = Key.of(CacheFixture.sha256(right));
    put(c.store, action(3), right);
    other.writeRecord(action(3), c.store.lookup(action(3)).orElseThrow().entry());
    Path foreignBody = other.bodyPath(out);
    Files.createDirectories(foreignBody.getParent());
    Files.write(foreignBody, wrong);
    for (Path p : new Path[] {c.store.recordPath(action(3)), c.store.bodyPath(out)}) {
      Path shard = p.getParent();
      Files.delete(p);
      Files.delete(shard);
      Files.createSymbolicLink(shard, other.root().resolve(dir.relativize(shard)));
    }
    return out;
  }

  @Test
  void s45_linkedShardDirectories_areMisses_notHitsWithWrongBytes() throws Exception {
    byte[] wrong = bytes(2048, 77);
    Key out = plantThroughLinkedShards(wrong);

    Optional<Hit> h = c.store.lookup(action(3));

    assertThat(h).isEmpty();
    assertThat(Files.isSymbolicLink(c.store.recordPath(action(3)).getParent())).isFalse();
    assertThat(
            Files.readAllBytes(
                tmp.resolve("elsewhere").resolve(dir.relativize(c.store.bodyPath(out)))))
        .isEqualTo(wrong);
  }

  @Test
  void s45_putIntoLinkedShard_writesInsideTheCache_only() throws Exception {
    Path shard = c.store.bodyPath(Key.of(CacheFixture.sha256(bytes(10, 4)))).getParent();
    Files.deleteIfExists(shard);
    Files.createSymbolicLink(shard, outside);

    Key out = put(c.store, action(4), bytes(10, 4));

    assertThat(Files.isSymbolicLink(shard)).isFalse();
    assertThat(Files.isRegularFile(c.store.bodyPath(out))).isTrue();
    try (var l = Files.list(outside)) {
      assertThat(l.toList()).isEmpty();
    }
    assertThat(c.store.lookup(action(4))).isPresent();
  }

  @Test
  void s45_linksToNothing_inPlaceOfAShardOrABody_areReplacedByRealFilesOnPut() throws Exception {
    byte[] body = bytes(20, 6);
    Key output = Key.of(CacheFixture.sha256(body));
    Path shard = c.store.bodyPath(output).getParent();
    Files.deleteIfExists(shard);
    Files.createSymbolicLink(shard, outside.resolve("nothing-here"));
    Key out = put(c.store, action(6), body);
    assertThat(Files.isSymbolicLink(shard)).isFalse();
    assertThat(Files.isDirectory(shard)).isTrue();
    assertThat(c.store.lookup(action(6))).isPresent();

    byte[] other = bytes(30, 8);
    Path b = c.store.bodyPath(Key.of(CacheFixture.sha256(other)));
    Files.createDirectories(b.getParent());
    Files.createSymbolicLink(b, outside.resolve("no-file"));
    put(c.store, action(8), other);
    assertThat(Files.isSymbolicLink(b)).isFalse();
    assertThat(Files.readAllBytes(b)).isEqualTo(other);
    assertThat(outside.resolve("no-file")).doesNotExist();
    assertThat(out).isEqualTo(output);
  }

  @Test
  void s45_verifyRepair_linkedShard_neverDeletesOutsideTheCache() throws Exception {
    plantThroughLinkedShards(bytes(2048, 5));
    Path victim =
        Files.write(
            outside.resolve("0000000000000000000000000000000000000000000000000000000000000000"),
            new byte[] {1});
    Path linked = dir.resolve("o").resolve("zz");
    Files.createSymbolicLink(linked, outside);

    Verifier.Report r = new Verifier(c.store, c.clock::get).verify(true, Verifier.Progress.NONE);

    assertThat(r.problems()).extracting(Verifier.Problem::kind).contains(Verifier.Kind.LINK);
    assertThat(Files.exists(victim)).isTrue();
    try (var l = Files.walk(tmp.resolve("elsewhere"))) {
      assertThat(l.filter(Files::isRegularFile).count()).isEqualTo(2); // its record and body stay
    }
    assertThat(Files.exists(linked, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  @Test
  void s45_trim_linkedShard_neverDeletesOutsideTheCache() throws Exception {
    plantThroughLinkedShards(bytes(2048, 6));
    try (var l = Files.walk(tmp.resolve("elsewhere"))) {
      for (Path f : l.filter(Files::isRegularFile).toList()) {
        Files.setLastModifiedTime(
            f,
            java.nio.file.attribute.FileTime.from(
                c.clock.get(), java.util.concurrent.TimeUnit.NANOSECONDS));
      }
    }
    c.clock.addAndGet(30 * DAY); // everything is old: a trim removes all it may

    c.trimmer().trim(new TrimPolicy(1, Duration.ofMinutes(1), Duration.ofDays(1)), false);

    try (var l = Files.walk(tmp.resolve("elsewhere"))) {
      assertThat(l.filter(Files::isRegularFile).count()).isEqualTo(2);
    }
  }

  @Test
  void s46_rePutOfRightBytes_replacesSameSizeCorruptBody() throws Exception {
    byte[] body = bytes(8192, 8);
    Key out = put(c.store, action(5), body);
    byte[] flipped = body.clone();
    flipped[100] ^= 1;
    Files.write(c.store.bodyPath(out), flipped); // same size, wrong bytes

    put(c.store, action(6), body); // another action with the same output

    assertThat(Files.readAllBytes(c.store.bodyPath(out))).isEqualTo(body);
    assertThat(Files.readAllBytes(c.store.lookup(action(5)).orElseThrow().diskPath()))
        .isEqualTo(body);
  }

  @Test
  void s46_rePutOfRightBytes_replacesBodyThatIsALinkToSameSizeFile() throws Exception {
    byte[] body = bytes(512, 10);
    Key out = put(c.store, action(7), body);
    Path foreign = Files.write(outside.resolve("foreign"), bytes(512, 11));
    Files.delete(c.store.bodyPath(out));
    Files.createSymbolicLink(c.store.bodyPath(out), foreign);

    put(c.store, action(7), body);

    assertThat(Files.isSymbolicLink(c.store.bodyPath(out))).isFalse();
    assertThat(Files.readAllBytes(c.store.bodyPath(out))).isEqualTo(body);
    assertThat(Files.readAllBytes(foreign)).isEqualTo(bytes(512, 11));
  }
}
