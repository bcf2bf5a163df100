package dev.progcache.daemon;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/** Sends a control command ({@code status}, {@code stop}) to this build's daemon. */
public final class DaemonClient {
  private DaemonClient() {}

  /** The daemon's reply, or empty when no daemon of this build is listening. */
  public static Optional<String> send(Map<String, String> env, String buildId, String cmd)
      throws IOException {
    SocketPaths p = SocketPaths.of(env, buildId);
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      try {
        ch.connect(UnixDomainSocketAddress.of(p.socket()));
      } catch (IOException e) {
        return Optional.empty();
      }
      ch.write(java.nio.ByteBuffer.wrap(Hello.control(cmd)));
      ch.shutdownOutput();
      byte[] reply = Channels.newInputStream(ch).readNBytes(4096);
      return Optional.of(new String(reply, StandardCharsets.UTF_8));
    }
  }

  /** The socket this build's daemon listens on, for messages. */
  public static String socketPath(Map<String, String> env, String buildId) throws IOException {
    return SocketPaths.of(env, buildId).socket().toString();
  }
}
