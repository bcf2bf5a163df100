package dev.progcache.daemon;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where the daemon of this build listens: {@code $PROGCACHE_SOCKET_DIR}, else {@code
 * $XDG_RUNTIME_DIR/progcache}, else {@code /tmp/progcache-<uid>}; the socket is {@code <build
 * id>.sock} in it, so a new build never talks to an old daemon. Same rules as the relay
 * (src/main/c/progcache-relay.c), which also trusts the directory only when {@link #checkPrivate}
 * would.
 */
record SocketPaths(Path dir, String buildId) {
  static final String SOCKET_SUFFIX = ".sock";
  static final String LOCK_SUFFIX = ".lock";

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

  /**
   * Creates the directory (mode 0700) when missing, then {@link #checkPrivate checks} it.
   *
   * @throws IOException when it cannot be created or is not private to this user
   */
  void ensureDir() throws IOException {
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      Files.createDirectory(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException e) {
      // checked below, whoever made it
    }
    checkPrivate();
  }

  /**
   * Checks that the directory is a real directory (not a symbolic link), owned by this user, with
   * no group or other permission bits: nobody else can place a listener or a file in it.
   *
   * @throws UnsafeDirectoryException naming what is wrong
   */
  void checkPrivate() throws IOException {
    PosixFileAttributes a =
        Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    String problem = null;
    if (a.isSymbolicLink()) {
      problem = "a symbolic link";
    } else if (!a.isDirectory()) {
      problem = "not a directory";
    } else if (!a.owner().equals(me())) {
      problem = "owned by " + a.owner().getName() + ", not by " + me().getName();
    } else if (a.permissions().stream().anyMatch(SocketPaths::groupOrOther)) {
      problem =
          "open to other users ("
              + PosixFilePermissions.toString(a.permissions())
              + "; it must"
              + " be rwx------)";
    }
    if (problem != null) {
      throw new UnsafeDirectoryException(
          "the daemon's socket directory "
              + dir
              + " is "
              + problem
              + "; remove it, or set"
              + " PROGCACHE_SOCKET_DIR to a directory of yours with mode 0700");
    }
  }

  /** This process's user. */
  static UserPrincipal me() throws IOException {
    return Files.getOwner(Path.of("/proc/self"));
  }

  private static boolean groupOrOther(PosixFilePermission p) {
    return switch (p) {
      case OWNER_READ, OWNER_WRITE, OWNER_EXECUTE -> false;
      default -> true;
    };
  }

  Path socket() {
    return dir.resolve(buildId + SOCKET_SUFFIX);
  }

  Path lock() {
    return dir.resolve(buildId + LOCK_SUFFIX);
  }

  Path log() {
    return dir.resolve("daemon-" + buildId + ".log");
  }

  /** The same directory for another build. */
  SocketPaths forBuild(String otherBuild) {
    return new SocketPaths(dir, otherBuild);
  }

  /** The build ids with a socket or a lock file in the directory; empty when it does not exist. */
  List<String> builds() throws IOException {
    List<String> ids = new ArrayList<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return ids;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        for (String suffix : List.of(SOCKET_SUFFIX, LOCK_SUFFIX)) {
          String id = n.endsWith(suffix) ? n.substring(0, n.length() - suffix.length()) : "";
          if (!id.isEmpty() && !ids.contains(id)) {
            ids.add(id);
          }
        }
      }
    }
    ids.sort(null);
    return ids;
  }

  private static String uid() throws IOException {
    Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    return uid.toString();
  }

  /** The socket directory is not private to this user: the daemon does not use it. */
  static final class UnsafeDirectoryException extends IOException {
    UnsafeDirectoryException(String message) {
      super(message);
    }
  }
}
