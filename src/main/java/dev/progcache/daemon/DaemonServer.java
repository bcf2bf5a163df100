package dev.progcache.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import jdk.net.ExtendedSocketOptions;

/**
 * The resident daemon: one per user and build, listening on a Unix socket in a private directory.
 * Each relay connection is its own protocol session, served on its own platform thread by the
 * {@link SessionHandler}, on go's own pipes when the relay offers them ({@link GoPipes}); control
 * connections answer {@code status} and {@code stop}.
 *
 * <p>Single instance by a file lock beside the socket; a stale socket file is replaced, and the
 * files of old builds whose daemons are gone are removed. Only connections from this user's
 * processes are served ({@code SO_PEERCRED}); the directory must be private to the user ({@link
 * SocketPaths#checkPrivate}). Exits after {@code idle} without sessions.
 */
public final class DaemonServer {
  /** Serves one relay session; must not close the streams' channel itself. */
  @FunctionalInterface
  public interface SessionHandler {
    void serve(Hello hello, InputStream in, OutputStream out) throws IOException;
  }

  /**
   * Sent to a relay that offered its pipes ({@link Hello#direct()}) when the daemon opened them:
   * the relay copies nothing and exits when the connection closes. Any other first byte is the
   * start of go's protocol, relayed as before.
   */
  private static final int DIRECT = 'D';

  /** A session's stack: the protocol loop is shallow. */
  private static final long SESSION_STACK = 512 << 10;

  private final SocketPaths paths;
  private final Duration idle;
  private final SessionHandler handler;
  private final PrintStream log;
  private final LongSupplier nanoTime;
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong direct = new AtomicLong();
  private final AtomicLong lastActivity;
  private final long started;
  private final String version;
  private volatile ServerSocketChannel server;
  private volatile UserPrincipal owner;

  DaemonServer(
      SocketPaths paths, String version, Duration idle, SessionHandler handler, PrintStream log) {
    this.paths = paths;
    this.version = version;
    this.idle = idle;
    this.handler = handler;
    this.log = log;
    this.nanoTime = System::nanoTime;
    this.started = nanoTime.getAsLong();
    this.lastActivity = new AtomicLong(started);
  }

  /** What a daemon is started with. */
  public record Identity(String buildId, String version, Duration idle) {}

  /**
   * Creates the socket directory chosen by {@code env} when missing and checks that it is private
   * to this user.
   *
   * @throws IOException naming what is wrong with it
   */
  public static void prepareDirectory(java.util.Map<String, String> env, Identity id)
      throws IOException {
    SocketPaths.of(env, id.buildId()).ensureDir();
  }

  /** Builds a daemon for this build in the socket directory chosen by {@code env}. */
  public static DaemonServer create(
      java.util.Map<String, String> env, Identity id, SessionHandler h, PrintStream log)
      throws IOException {
    return new DaemonServer(SocketPaths.of(env, id.buildId()), id.version(), id.idle(), h, log);
  }

  /**
   * Runs until stopped or idle. Returns false at once when another daemon of this build holds the
   * lock.
   */
  public boolean run() throws IOException {
    paths.ensureDir();
    owner = SocketPaths.me();
    try (FileChannel lockFile = openLock(paths.lock());
        FileLock lock = lockFile.tryLock()) {
      if (lock == null) {
        log.println(
            "progcache daemon: another daemon of this build is running (" + paths.lock() + ")");
        return false;
      }
      Files.deleteIfExists(paths.socket()); // stale: its owner no longer holds the lock
      StaleFiles.remove(paths, log);
      try (ServerSocketChannel ss = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
        ss.bind(UnixDomainSocketAddress.of(paths.socket()));
        server = ss;
        log.println(
            "progcache daemon: version "
                + version
                + ", build "
                + paths.buildId()
                + ", pid "
                + ProcessHandle.current().pid()
                + " listening on "
                + paths.socket());
        Thread.ofPlatform().daemon().name("idle-watch").start(this::watchIdle);
        Thread.ofVirtual().name("link-pipes").start(GoPipes::prepare);
        acceptLoop(ss);
      } finally {
        Files.deleteIfExists(paths.socket());
      }
      log.println("progcache daemon: stopped after " + served.get() + " sessions");
      return true;
    }
  }

  private void acceptLoop(ServerSocketChannel ss) throws IOException {
    while (true) {
      SocketChannel ch;
      try {
        ch = ss.accept();
      } catch (ClosedChannelException e) {
        return; // stopped
      }
      // a platform thread: a session is a tight loop of small blocking reads and writes, and a
      // virtual thread parks in the poller and is woken through it on every request (two more
      // context switches per get; measured on warm go build std through the relay)
      Thread.ofPlatform()
          .daemon()
          .name("session")
          .stackSize(SESSION_STACK)
          .start(() -> connection(ch));
    }
  }

  /** The lock file, opened without following a link planted in its place. */
  static FileChannel openLock(java.nio.file.Path lock) throws IOException {
    return FileChannel.open(
        lock,
        StandardOpenOption.CREATE,
        StandardOpenOption.WRITE,
        java.nio.file.LinkOption.NOFOLLOW_LINKS);
  }

  private void connection(SocketChannel ch) {
    try (ch) {
      UserPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED).user();
      if (!peer.equals(owner)) {
        log.println(
            "progcache daemon: refused a connection from user "
                + peer.getName()
                + " (this daemon serves "
                + owner.getName()
                + " only)");
        return;
      }
      // buffered: the hello is read a byte at a time, and the session reads on from this stream
      InputStream in = new java.io.BufferedInputStream(Channels.newInputStream(ch), 1 << 13);
      OutputStream out = Channels.newOutputStream(ch);
      Hello h = Hello.read(in);
      if (h.kind().equals(Hello.CONTROL)) {
        control(h, out); // not activity: status polling must not keep an idle daemon alive
        return;
      }
      active.incrementAndGet();
      try {
        served.incrementAndGet();
        Optional<GoPipes> pipes = h.direct() ? GoPipes.open(h.pid()) : Optional.empty();
        if (pipes.isPresent()) {
          // the relay now only waits for this connection to close
          direct.incrementAndGet();
          out.write(DIRECT);
          out.flush();
          try (GoPipes p = pipes.get()) {
            handler.serve(h, p.in(), p.out());
          }
        } else {
          handler.serve(h, in, out);
        }
      } finally {
        lastActivity.set(nanoTime.getAsLong());
        active.decrementAndGet();
      }
    } catch (IOException | RuntimeException e) {
      log.println("progcache daemon: session failed: " + e);
    }
  }

  private void control(Hello h, OutputStream out) throws IOException {
    String reply =
        switch (h.cmd()) {
          case "status" -> status();
          case "stop" -> {
            stop();
            yield "stopping\n";
          }
          default -> "unknown control command \"" + h.cmd() + "\"\n";
        };
    out.write(reply.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private String status() {
    long up = (nanoTime.getAsLong() - started) / 1_000_000_000L;
    return "build "
        + paths.buildId()
        + ", version "
        + version
        + ", pid "
        + ProcessHandle.current().pid()
        + ", up "
        + up
        + " s, "
        + active.get()
        + " active sessions, "
        + served.get()
        + " served ("
        + direct.get()
        + " on go's pipes), rss "
        + rssMegabytes()
        + " MB, socket "
        + paths.socket()
        + ", idle exit after "
        + idle.toSeconds()
        + " s\n";
  }

  /** This process's resident memory in MB, from /proc (-1 where there is none). */
  static long rssMegabytes() {
    try {
      for (String l : Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  /** Stops accepting; sessions in progress finish on their own threads. */
  public void stop() {
    ServerSocketChannel s = server;
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  private void watchIdle() {
    long idleNanos = idle.toNanos();
    long tick = Math.max(50, Math.min(1000, idle.toMillis() / 4));
    while (server != null && server.isOpen()) {
      try {
        Thread.sleep(tick);
      } catch (InterruptedException e) {
        return;
      }
      if (active.get() == 0 && nanoTime.getAsLong() - lastActivity.get() > idleNanos) {
        log.println("progcache daemon: idle for " + idle.toSeconds() + " s, exiting");
        stop();
        return;
      }
    }
  }
}
