package dev.progcache.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Files written whole or not at all: a temp file ({@code .tmp-<random>}) in the target's directory,
 * renamed over the target. Readers see the old or the new content, never a mix. Stateless.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /**
   * Replaces {@code target} with {@code data}: a temp file in the same directory, renamed over it.
   * Readers see the old or the new content, never a mix; no temp file is left on failure.
   */
  public static void write(Path target, byte[] data) throws IOException {
    replace(
        target,
        ch -> {
          ByteBuffer b = ByteBuffer.wrap(data);
          while (b.hasRemaining()) {
            ch.write(b);
          }
        });
  }

  /**
   * Replaces {@code target} with the bytes of {@code in} to its end, as {@link #write}, creating
   * the target's directory when missing; returns how many bytes were written.
   */
  public static long write(Path target, java.io.InputStream in) throws IOException {
    long[] n = new long[1];
    replace(target, ch -> n[0] = in.transferTo(java.nio.channels.Channels.newOutputStream(ch)));
    return n[0];
  }

  /** Fills a temp file through its channel. */
  @FunctionalInterface
  interface Fill {
    void into(FileChannel ch) throws IOException;
  }

  /**
   * Writes a temp file beside {@code target} with {@code fill}, then renames it over {@code
   * target}; the temp file is removed when anything fails.
   */
  static void replace(Path target, Fill fill) throws IOException {
    Temp tmp = openTemp(target.getParent());
    boolean done = false;
    try {
      try (FileChannel ch = tmp.channel()) {
        fill.into(ch);
      }
      Files.move(
          tmp.path(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      done = true;
    } finally {
      if (!done) {
        Files.deleteIfExists(tmp.path());
      }
    }
  }

  /** A temp file just created, open for writing. */
  record Temp(Path path, FileChannel channel) {}

  /**
   * Creates a new temp file in {@code dir} (creating {@code dir}), open for writing, in one system
   * call; its name starts with '.'. (Creating it empty and opening it again with truncation cost a
   * second open, and ext4 flushes a truncated file when it is closed.)
   */
  static Temp openTemp(Path dir) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path tmp = dir.resolve(".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
      try {
        return new Temp(
            tmp, FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
      } catch (NoSuchFileException e) {
        if (attempt > 2) {
          throw e;
        }
        Files.createDirectories(dir);
      } catch (FileAlreadyExistsException e) {
        if (attempt > 10) {
          throw e;
        }
      }
    }
  }
}
