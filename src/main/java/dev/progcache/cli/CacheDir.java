package dev.progcache.cli;

import dev.progcache.cache.Stats;
import dev.progcache.disk.DiskStore;
import dev.progcache.disk.IoText;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Opens the helper's cache directory, and when it cannot be used (not writable, not a directory,
 * go's cache unknown) says so in one line and opens a per-user fallback instead, so that no
 * directory problem fails a go command.
 */
final class CacheDir {
  /** Opens a store at a directory (the daemon shares one store per directory). */
  interface Opener {
    DiskStore open(Path dir) throws IOException;
  }

  private CacheDir() {}

  /** The default opener: a fresh store counting into {@code stats}. */
  static Opener fresh(Stats stats) {
    return dir -> DiskStore.open(dir, Helper::nowNanos, stats);
  }

  /**
   * The configured (or default) cache directory, else the fallback.
   *
   * @throws IOException only when the fallback cannot be used either; the message says both
   */
  static DiskStore open(HelperConfig cfg, Map<String, String> env, Opener opener, PrintStream err)
      throws IOException {
    String why;
    Path dir = null;
    try {
      dir = cfg.resolveDir(env);
      return opener.open(dir);
    } catch (ConfigException e) {
      why = e.getMessage();
    } catch (IOException e) {
      why =
          e instanceof java.nio.file.FileSystemException
              ? "cannot use cache directory " + dir + ": " + IoText.reason(e)
              : IoText.reason(e); // already says which directory and why
    }
    Path fallback = fallback(env);
    try {
      Files.createDirectories(fallback.getParent());
      if (!Files.isDirectory(fallback)) {
        Files.createDirectory(
            fallback,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      DiskStore s = opener.open(fallback);
      err.println("progcache: " + why + "; using " + fallback + " for this command");
      return s;
    } catch (IOException | UnsupportedOperationException e) {
      String r = e instanceof IOException io ? IoText.reason(io) : "unsupported";
      throw new IOException(
          why
              + "; the fallback "
              + fallback
              + " cannot be used either: "
              + r
              + "; set --dir or PROGCACHE_DIR to a writable directory",
          e);
    }
  }

  /** {@code $XDG_CACHE_HOME/progcache-fallback}, else {@code <tmp>/progcache-<user>}. */
  static Path fallback(Map<String, String> env) {
    String xdg = env.get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "progcache-fallback");
    }
    return Path.of(
        System.getProperty("java.io.tmpdir"), "progcache-" + System.getProperty("user.name"));
  }
}
