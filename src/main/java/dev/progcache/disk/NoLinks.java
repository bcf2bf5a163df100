package dev.progcache.disk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * Path checks that never follow a symbolic link, for the cache directory's shards, records and
 * bodies: a link where the cache expects a directory or a file is never used, only removed (the
 * link itself, never what it points to).
 *
 * <p>Stateless and thread-safe; every method is one or a few {@code lstat} calls.
 */
final class NoLinks {
  static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

  private NoLinks() {}

  /**
   * The attributes of {@code p} itself (a link is reported as a link); empty when absent. One
   * {@code lstat}, but for a missing path the JDK throws two exceptions inside (it answers without
   * one only when following links): for a path that may well be missing, {@link
   * #attributesIfThere}.
   */
  static Optional<BasicFileAttributes> attributes(Path p) throws IOException {
    return Optional.ofNullable(
        p.getFileSystem()
            .provider()
            .readAttributesIfExists(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
  }

  /**
   * As {@link #attributes}, for a path that may well be missing (a fresh directory's shards and
   * bodies, a cold build's misses): a {@code stat} first, which the JDK answers without an
   * exception when nothing is there, then the {@code lstat} only when something is. A link to
   * nothing is reported as absent; whoever then creates {@code p} meets it (see {@code DiskStore}):
   * a file is written to a temp name and renamed over it, a directory's creation fails.
   */
  static Optional<BasicFileAttributes> attributesIfThere(Path p) throws IOException {
    return somethingAt(p) ? attributes(p) : Optional.empty();
  }

  /**
   * Whether something is at {@code p}, following a link (a link to nothing is nothing): one {@code
   * stat}, which the JDK answers without an exception when nothing is there.
   */
  static boolean somethingAt(Path p) throws IOException {
    return p.getFileSystem().provider().readAttributesIfExists(p, BasicFileAttributes.class)
        != null;
  }

  /** Whether {@code p} is a symbolic link (false when absent or unreadable). */
  static boolean isLink(Path p) {
    return Files.isSymbolicLink(p);
  }

  /**
   * Whether every directory from {@code root} (exclusive) down to {@code p}'s parent is a real
   * directory, not a link: only then does an operation on {@code p} stay inside {@code root}.
   */
  static boolean inside(Path root, Path p) {
    Path rel = root.relativize(p);
    if (rel.startsWith("..") || rel.isAbsolute()) {
      return false;
    }
    Path d = root;
    for (int i = 0; i < rel.getNameCount() - 1; i++) {
      d = d.resolve(rel.getName(i));
      if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Removes {@code p} (a file or a link, never through one) when it lies inside {@code root}
   * through real directories only; false when it was absent, outside, or could not be removed.
   */
  static boolean deleteInside(Path root, Path p) {
    if (!inside(root, p)) {
      return false;
    }
    try {
      return Files.deleteIfExists(p);
    } catch (IOException e) {
      return false; // read-only or racing: it stays
    }
  }
}
