package dev.progcache.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Where the daemon of this build listens: {@code $PROGCACHE_SOCKET_DIR}, else
 * {@code $XDG_RUNTIME_DIR/progcache}, else {@code /tmp/progcache-<uid>}; the socket is
 * {@code <build id>.sock} in it, so a new build never talks to an old daemon. Same rules as the
 * relay (src/main/c/progcache-relay.c).
 */
record SocketPaths(Path dir, String buildId) {
  static SocketPaths of(Map<String, String> env, String buildId) throws IOException {
    String d = env.get("PROGCACHE_SOCKET_DIR");
    String rt = env.get("XDG_RUNTIME_DIR");
    Path dir;
    if (d != null && !d.isEmpty()) {
      dir = Path.of(d);
    } else if (rt != null && !rt.isEmpty()) {
      dir = Path.of(rt, "progcache");
    } else {
      dir = Path.of("/tmp", "progcache-" + uid());
    }
    return new SocketPaths(dir, buildId);
  }

  /** Creates the directory, private to this user (0700). */
  void ensureDir() throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
  }

  Path socket() {
    return dir.resolve(buildId + ".sock");
  }

  Path lock() {
    return dir.resolve(buildId + ".lock");
  }

  private static String uid() throws IOException {
    Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    return uid.toString();
  }
}
