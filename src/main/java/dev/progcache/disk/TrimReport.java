package dev.progcache.disk;

/**
 * What a trim found and removed (or, for a dry run, would remove).
 *
 * @param before bodies and their bytes before the trim
 * @param removed bodies and bytes removed (by age, by size, or as orphans)
 * @param records records removed (their body went, was missing, or they did not parse)
 * @param temps stale temp files removed
 */
public record TrimReport(Tally before, Tally removed, long records, long temps) {
  /** A number of files and their total size. */
  public record Tally(long files, long bytes) {
    Tally plus(long size) {
      return new Tally(files + 1, bytes + size);
    }
  }

  /** Bodies and bytes left. */
  public Tally after() {
    return new Tally(before.files() - removed.files(), before.bytes() - removed.bytes());
  }
}
