package dev.progcache.disk;

import dev.progcache.cache.Entry;
import dev.progcache.cache.Key;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Checks a cache directory: re-hashes every body against its name, and finds records that do not
 * parse, name a missing body or the wrong size, bodies no record names, and stale temp files. With
 * repair, removes what it found (and the records of corrupt bodies): the cache then only misses
 * where it would have served wrong bytes or failed.
 *
 * <p>Files written within the trim grace period are not called orphans or dangling: a put may be in
 * progress. Safe to run while builds use the directory. Not thread-safe.
 */
public final class Verifier {
  /** What is wrong with a file. */
  public enum Kind {
    CORRUPT_RECORD("record does not parse"),
    DANGLING_RECORD("record names a body that does not exist"),
    WRONG_SIZE("record's size differs from its body's"),
    CORRUPT_BODY("body's sha256 differs from its name"),
    ORPHAN_BODY("body no record names"),
    STALE_TEMP("temp file left by an interrupted write"),
    LINK("symbolic link where the cache keeps its own files; never followed");

    private final String meaning;

    Kind(String meaning) {
      this.meaning = meaning;
    }

    public String meaning() {
      return meaning;
    }
  }

  /** One finding. */
  public record Problem(Kind kind, Path path, String detail) {}

  /**
   * The outcome.
   *
   * @param records record files checked
   * @param bodies bodies checked, with {@code bytes} hashed
   * @param repaired files removed by repair
   */
  public record Report(
      long records, long bodies, long bytes, List<Problem> problems, long repaired) {}

  /** Told about hashing progress in bytes. Called on the verifying thread. */
  public interface Progress {
    Progress NONE = new Progress() {};

    default void start(long totalBytes) {}

    default void advance(long bytes) {}

    default void done() {}
  }

  private final DiskStore store;
  private final LongSupplier nowNanos;

  public Verifier(DiskStore store, LongSupplier nowNanos) {
    this.store = store;
    this.nowNanos = nowNanos;
  }

  /** Verifies the directory; with {@code repair} also removes what is wrong. */
  public Report verify(boolean repair, Progress progress) throws IOException {
    long now = nowNanos.getAsLong();
    long recent = now - TrimPlan.GRACE_NANOS;
    Inventory inv = Inventory.of(store);
    List<Problem> problems = new ArrayList<>();
    Set<Key> corrupt = hashBodies(inv, progress, problems);
    Map<Key, Inventory.Body> bodies = inv.bodiesById();
    for (Inventory.RecordFile r : inv.records()) {
      checkRecord(r, bodies, corrupt, recent).ifPresent(problems::add);
    }
    Set<Key> named = inv.referenced();
    for (Inventory.Body b : inv.bodies()) {
      if (!named.contains(b.output())
          && !corrupt.contains(b.output())
          && b.file().mtimeNanos() < recent) {
        problems.add(new Problem(Kind.ORPHAN_BODY, b.file().path(), b.file().size() + " bytes"));
      }
    }
    for (Inventory.FileInfo t : inv.temps()) {
      if (t.mtimeNanos() < now - TrimPlan.TEMP_AGE_NANOS) {
        problems.add(new Problem(Kind.STALE_TEMP, t.path(), t.size() + " bytes"));
      }
    }
    for (Path l : inv.links()) {
      problems.add(new Problem(Kind.LINK, l, "removed as a link by repair, never followed"));
    }
    long repaired = 0;
    if (repair) {
      for (Problem p : problems) {
        repaired += repair(store.root(), p, recent) ? 1 : 0;
      }
    }
    return new Report(
        inv.records().size() + inv.packed().size(),
        inv.bodies().size(),
        inv.bodyBytes(),
        List.copyOf(problems),
        repaired);
  }

  /**
   * Removes the file of {@code p}, only inside {@code root} and through real directories (a link is
   * removed itself). An orphan body is first checked again: a put may have given it a record and go
   * its path since the scan, which refreshes its use time.
   */
  private static boolean repair(Path root, Problem p, long recent) {
    if (p.kind() == Kind.ORPHAN_BODY) {
      boolean stillOld = Inventory.info(p.path()).map(f -> f.mtimeNanos() < recent).orElse(false);
      if (!stillOld) {
        return false;
      }
    }
    return NoLinks.deleteInside(root, p.path());
  }

  private static java.util.Optional<Problem> checkRecord(
      Inventory.RecordFile r, Map<Key, Inventory.Body> bodies, Set<Key> corrupt, long recent) {
    Path p = r.file().path();
    if (r.entry().isEmpty()) {
      return java.util.Optional.of(
          new Problem(Kind.CORRUPT_RECORD, p, "not a v1 record for its name"));
    }
    Entry e = r.entry().get();
    Inventory.Body b = bodies.get(e.outputId());
    if (b == null || corrupt.contains(e.outputId())) {
      if (b == null && r.file().mtimeNanos() >= recent) {
        return java.util.Optional.empty(); // a put may be between body and record
      }
      String why = b == null ? "body " + e.outputId().hex() + " is missing" : "its body is corrupt";
      return java.util.Optional.of(new Problem(Kind.DANGLING_RECORD, p, why));
    }
    if (b.file().size() != e.size()) {
      return java.util.Optional.of(
          new Problem(
              Kind.WRONG_SIZE, p, "record says " + e.size() + ", body has " + b.file().size()));
    }
    return java.util.Optional.empty();
  }

  private static Set<Key> hashBodies(Inventory inv, Progress progress, List<Problem> problems)
      throws IOException {
    Set<Key> corrupt = new HashSet<>();
    progress.start(inv.bodyBytes());
    Sha256.awaitNative(2_000); // hashing the whole cache: worth waiting for the fast engine
    byte[] buf = new byte[1 << 16];
    for (Inventory.Body b : inv.bodies()) {
      Sha256.Hasher md = Sha256.newHasher();
      try (InputStream in = Files.newInputStream(b.file().path(), LinkOption.NOFOLLOW_LINKS)) {
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          md.update(buf, 0, n);
          progress.advance(n);
        }
      } catch (java.nio.file.NoSuchFileException e) {
        continue; // trimmed meanwhile
      } catch (IOException e) {
        if (Files.isSymbolicLink(b.file().path())) {
          problems.add(
              new Problem(Kind.LINK, b.file().path(), "replaced by a link since the scan"));
          continue;
        }
        throw e;
      }
      Key got = Key.of(md.digest());
      if (!got.equals(b.output())) {
        corrupt.add(b.output());
        problems.add(
            new Problem(Kind.CORRUPT_BODY, b.file().path(), "content hashes to " + got.hex()));
      }
    }
    progress.done();
    return corrupt;
  }
}
