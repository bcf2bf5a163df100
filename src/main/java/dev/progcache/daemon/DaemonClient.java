package dev.progcache.daemon;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Sends a control command ({@code status}, {@code stop}) to the daemon of one build, or to the
 * daemons of every build found in the user's socket directory. Talks only to a directory that is
 * private to the user ({@link SocketPaths#checkPrivate}).
 */
public final class DaemonClient {
  private DaemonClient() {}

  /**
   * The daemon's reply, or empty when no daemon of this build is listening.
   *
   * @throws IOException when the socket directory is not private to this user
   */
  public static Optional<String> send(Map<String, String> env, String buildId, String cmd)
      throws IOException {
    SocketPaths p = SocketPaths.of(env, buildId);
    if (!java.nio.file.Files.exists(p.dir())) {
      return Optional.empty();
    }
    p.checkPrivate();
    return send(p, cmd);
  }

  /**
   * The replies of every daemon in the socket directory (any build), by build id; builds with files
   * but no daemon answering are left out.
   */
  public static Map<String, String> sendAll(Map<String, String> env, String cmd)
      throws IOException {
    SocketPaths p = SocketPaths.of(env, "");
    Map<String, String> replies = new LinkedHashMap<>();
    if (!java.nio.file.Files.exists(p.dir())) {
      return replies;
    }
    p.checkPrivate();
    for (String id : p.builds()) {
      send(p.forBuild(id), cmd).ifPresent(r -> replies.put(id, r));
    }
    return replies;
  }

  private static Optional<String> send(SocketPaths p, String cmd) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      try {
        ch.connect(UnixDomainSocketAddress.of(p.socket()));
      } catch (IOException e) {
        return Optional.empty();
      }
      ch.write(ByteBuffer.wrap(Hello.control(cmd)));
      ch.shutdownOutput();
      byte[] reply = Channels.newInputStream(ch).readNBytes(4096);
      return Optional.of(new String(reply, StandardCharsets.UTF_8));
    }
  }

  /**
   * What is wrong with the socket directory {@code env} chooses (the relay would not use it), or
   * empty when it is private to this user or does not exist yet (the relay creates it so).
   */
  public static Optional<String> socketDirProblem(Map<String, String> env) throws IOException {
    SocketPaths p = SocketPaths.of(env, "");
    if (!java.nio.file.Files.exists(p.dir(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try {
      p.checkPrivate();
      return Optional.empty();
    } catch (SocketPaths.UnsafeDirectoryException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** The socket this build's daemon listens on, for messages. */
  public static String socketPath(Map<String, String> env, String buildId) throws IOException {
    return SocketPaths.of(env, buildId).socket().toString();
  }

  /** The daemon log of this build. */
  public static java.nio.file.Path logPath(Map<String, String> env, String buildId)
      throws IOException {
    return SocketPaths.of(env, buildId).log();
  }
}
