package dev.progcache.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Removes what daemons of other builds left in the socket directory once they are gone: the lock
 * and socket of a build whose lock nobody holds, and its logs when they have not been written for
 * {@link #KEEP_LOGS} (kept that long to read why it stopped). A build whose daemon still runs is
 * left alone: it exits by itself when idle.
 */
final class StaleFiles {
  static final Duration KEEP_LOGS = Duration.ofDays(1);

  private StaleFiles() {}

  /** Never throws: a file that cannot be removed now is tried again by the next daemon. */
  static void remove(SocketPaths mine, PrintStream log) {
    try {
      for (String id : mine.builds()) {
        if (!id.equals(mine.buildId())) {
          removeIfGone(mine.forBuild(id), log);
        }
      }
    } catch (IOException | RuntimeException e) {
      log.println("progcache daemon: could not look for old builds' files: " + e.getMessage());
    }
  }

  private static void removeIfGone(SocketPaths other, PrintStream log) throws IOException {
    if (Files.exists(other.lock(), LinkOption.NOFOLLOW_LINKS)) {
      try (FileChannel ch = DaemonServer.openLock(other.lock());
          FileLock held = ch.tryLock()) {
        if (held == null) {
          return; // that build's daemon still runs
        }
        Files.deleteIfExists(other.socket());
        Files.deleteIfExists(other.lock());
      }
    } else {
      Files.deleteIfExists(other.socket());
    }
    Instant old = Instant.now().minus(KEEP_LOGS);
    for (Path f : new Path[] {other.log(), DaemonLog.rotated(other.log())}) {
      if (Files.exists(f, LinkOption.NOFOLLOW_LINKS)
          && Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(old)) {
        Files.delete(f);
      }
    }
    log.println("progcache daemon: removed the files of build " + other.buildId() + " (no daemon)");
  }
}
