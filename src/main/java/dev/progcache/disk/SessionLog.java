package dev.progcache.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code sessions.log} in the cache directory: one line per helper session, {@code <unix seconds>
 * name=value ...} (the session's counters), so that {@code progcache stats} can report hit ratios.
 *
 * <p>Bounded: when the file grows past {@link #MAX_BYTES} it is rewritten (temp file + rename) with
 * its last {@link #KEEP} lines. A line is appended with a single write to a file opened for
 * appending, so lines of concurrent sessions do not interleave; a line lost to a concurrent rewrite
 * only makes the statistics slightly less complete. Malformed lines are skipped on reading.
 */
public final class SessionLog {
  static final String NAME = "sessions.log";
  static final long MAX_BYTES = 64 * 1024;
  static final int KEEP = 200;

  /** One session: when it ended and its counters. */
  public record Session(long endSeconds, Map<String, Long> counters) {
    /** The counter {@code name}, 0 when absent. */
    public long get(String name) {
      return counters.getOrDefault(name, 0L);
    }
  }

  private SessionLog() {}

  /** Appends a session that ended at {@code nowNanos} with counters {@code line} ("a=1 b=2"). */
  public static void append(Path root, long nowNanos, String line) throws IOException {
    Path f = root.resolve(NAME);
    byte[] b =
        ((nowNanos / 1_000_000_000L) + " " + line + "\n").getBytes(StandardCharsets.US_ASCII);
    long size;
    try (FileChannel ch =
        FileChannel.open(
            f, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.wrap(b));
      size = ch.size();
    }
    if (size > MAX_BYTES) {
      compact(root);
    }
  }

  private static void compact(Path root) throws IOException {
    List<String> lines = lines(root);
    List<String> keep = lines.subList(Math.max(0, lines.size() - KEEP), lines.size());
    StringBuilder b = new StringBuilder();
    keep.forEach(l -> b.append(l).append('\n'));
    AtomicFiles.write(root.resolve(NAME), b.toString().getBytes(StandardCharsets.US_ASCII));
  }

  /** The last {@code n} sessions, oldest first; empty when there is no log. */
  public static List<Session> recent(Path root, int n) throws IOException {
    List<Session> out = new ArrayList<>();
    for (String l : lines(root)) {
      parse(l).ifPresent(out::add);
    }
    return List.copyOf(out.subList(Math.max(0, out.size() - n), out.size()));
  }

  private static List<String> lines(Path root) throws IOException {
    try {
      return Files.readAllLines(root.resolve(NAME), StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }

  private static java.util.Optional<Session> parse(String line) {
    String[] parts = line.strip().split(" ");
    try {
      long t = Long.parseLong(parts[0]);
      Map<String, Long> c = new LinkedHashMap<>();
      for (int i = 1; i < parts.length; i++) {
        int eq = parts[i].indexOf('=');
        if (eq <= 0) {
          return java.util.Optional.empty();
        }
        c.put(parts[i].substring(0, eq), Long.parseLong(parts[i].substring(eq + 1)));
      }
      return java.util.Optional.of(new Session(t, Map.copyOf(c)));
    } catch (NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }
}
