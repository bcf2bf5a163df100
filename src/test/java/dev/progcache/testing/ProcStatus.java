package dev.progcache.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Reads a process's resident memory from {@code /proc/<pid>/status} (Linux). */
public final class ProcStatus {
  private ProcStatus() {}

  /** VmRSS in KiB; empty when the process is gone or /proc is not there. */
  public static OptionalLong rssKiB(long pid) {
    try {
      for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (l.startsWith("VmRSS:")) {
          return OptionalLong.of(Long.parseLong(l.substring(6).trim().split("\\s+")[0]));
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone between samples
    }
    return OptionalLong.empty();
  }
}
