package dev.progcache.disk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * {@code trim.txt} in the cache directory: the age reference of the last trim, as Unix seconds in
 * decimal. Written by temp file + rename; an unreadable or malformed file counts as absent.
 */
final class TrimStamp {
  static final String NAME = "trim.txt";

  private TrimStamp() {}

  /** The last trim's reference time in Unix nanoseconds, if recorded. */
  static OptionalLong read(Path root) {
    try {
      String s = Files.readString(root.resolve(NAME), StandardCharsets.US_ASCII).strip();
      long secs = Long.parseLong(s);
      if (secs < 0 || secs > Long.MAX_VALUE / 1_000_000_000L) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(secs * 1_000_000_000L);
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  static void write(Path root, long nanos) throws IOException {
    AtomicFiles.write(
        root.resolve(NAME), ((nanos / 1_000_000_000L) + "\n").getBytes(StandardCharsets.US_ASCII));
  }
}
