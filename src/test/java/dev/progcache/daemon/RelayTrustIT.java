package dev.progcache.daemon;

import static dev.progcache.testing.Requests.get;
import static dev.progcache.testing.Requests.random;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Answers;
import dev.progcache.testing.Cmd;
import dev.progcache.testing.Dist;
import dev.progcache.testing.GoModule;
import dev.progcache.testing.GoTool;
import dev.progcache.testing.HelperProcess;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay trusts a socket only in a directory private to its user, served by a process of its
 * user: a directory of another user, a symbolic link, a directory open to others, or a listener
 * running as another user get nothing of the relay's environment, and go is served by the one-shot
 * helper instead. The daemon refuses such directories too. Runs as any user; the cases that need a
 * second user use {@code nobody} through setpriv and are meant for CI, which runs as root.
 */
@Timeout(300)
class RelayTrustIT {
  private static final String SECRET = "secret-token-that-must-not-leak";
  private static final int NOBODY = 65534;

  @TempDir Path tmp;
  Map<String, String> env;
  private final Random rnd = new Random(5);
  private Listener listener;

  @BeforeEach
  void setUp() {
    env = new HashMap<>();
    env.put("PROGCACHE_DIR", tmp.resolve("cache").toString());
    env.put("PROGCACHE_TOKEN", SECRET);
    env.put("ACTIONS_ID_TOKEN_REQUEST_TOKEN", SECRET);
    env.put("PROGCACHE_DAEMON_IDLE", "30");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (listener != null) {
      listener.close();
    }
    Cmd.run(tmp, env, 30, Dist.launcher().toString(), "daemon", "stop", "--all");
  }

  /** The build id compiled into the relay, which names its socket. */
  private static String buildId() throws Exception {
    String v = Cmd.run(Path.of("."), Map.of(), 30, Dist.relay().toString(), "--version").ok().out();
    Matcher m = Pattern.compile("build ([0-9a-z]+)").matcher(v);
    assertThat(m.find()).as(v).isTrue();
    return m.group(1);
  }

  /** A listener on {@code dir/<build>.sock} that records every byte sent to it. */
  private static final class Listener implements AutoCloseable {
    final ServerSocketChannel server;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    volatile int accepted;

    Listener(Path socket) throws Exception {
      server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(socket));
      Thread.ofVirtual().start(this::accept);
    }

    private void accept() {
      try {
        while (true) {
          SocketChannel c = server.accept();
          accepted++;
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (c;
                        InputStream in = Channels.newInputStream(c)) {
                      byte[] buf = new byte[4096];
                      for (int n; (n = in.read(buf)) > 0; ) {
                        synchronized (received) {
                          received.write(buf, 0, n);
                        }
                      }
                    } catch (Exception e) {
                      // closed
                    }
                  });
        }
      } catch (Exception e) {
        // closed
      }
    }

    String received() {
      synchronized (received) {
        return received.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
      }
    }

    @Override
    public void close() throws java.io.IOException {
      server.close();
    }
  }

  /** A protocol session through the relay, served by whatever it picked; returns its stderr. */
  private String session(String... relayArgs) throws Exception {
    HelperProcess h = HelperProcess.startProgram(Dist.relay(), env, relayArgs);
    try (h) {
      assertThat(h.readLine(60)).contains("KnownCommands");
      h.write(get(1, random(rnd, 32)));
      assertThat(Answers.parse(h.readLine(60))).containsEntry("Miss", true);
      h.closeStdin();
      assertThat(h.waitFor(60)).isZero();
    }
    return h.stderr();
  }

  private Path socketDir(String name, String mode) throws Exception {
    Path d = Files.createDirectory(tmp.resolve(name));
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
    env.put("PROGCACHE_SOCKET_DIR", d.toString());
    return d;
  }

  private void assertNothingReached(String stderr, String reason) {
    assertThat(stderr).contains("not using the daemon").contains(reason).contains("one-shot");
    assertThat(listener.received())
        .as("bytes the listener received")
        .doesNotContain(SECRET)
        .isEmpty();
    assertThat(listener.accepted).as("connections the listener accepted").isZero();
  }

  @Test
  void socketDirOpenToOthers_relayRefuses_goBuildSucceedsThroughTheOneShot() throws Exception {
    Path d = socketDir("open", "rwxrwxrwx");
    listener = new Listener(d.resolve(buildId() + ".sock"));
    Path mod = tmp.resolve("mod");
    GoModule.write(mod);
    Map<String, String> goEnv = new HashMap<>(GoModule.env(tmp, tmp.resolve("gocache")));
    goEnv.putAll(env);
    goEnv.put("GOCACHEPROG", Dist.relay() + " -v");
    Cmd.Result build =
        Cmd.run(
                mod,
                goEnv,
                300,
                GoTool.go().toString(),
                "build",
                "-o",
                tmp.resolve("b").toString(),
                ".")
            .ok();
    assertThat(build.stat("puts")).isGreaterThan(0);
    assertNothingReached(build.err(), "open to other users");
  }

  @Test
  void socketDirIsASymlink_relayRefuses() throws Exception {
    Path real = socketDir("real", "rwx------");
    Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
    env.put("PROGCACHE_SOCKET_DIR", link.toString());
    listener = new Listener(real.resolve(buildId() + ".sock"));
    assertNothingReached(session(), "a symbolic link");
  }

  @Test
  void socketDirOwnedByAnotherUser_relayRefuses() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        isRoot() || System.getenv("CI") != null, "needs root to give a directory to nobody");
    Path d = socketDir("theirs", "rwx------");
    listener = new Listener(d.resolve(buildId() + ".sock"));
    chown(d, NOBODY);
    assertNothingReached(session(), "owned by uid " + NOBODY);
  }

  @Test
  void listenerRunningAsAnotherUser_relayRefusesBeforeSendingAnything() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        isRoot() || System.getenv("CI") != null, "needs root to run a listener as nobody");
    Path mine = socketDir("mine", "rwx------");
    Files.setPosixFilePermissions(
        tmp, PosixFilePermissions.fromString("rwx--x--x")); // nobody reaches its own dir
    // a listener run by nobody in a directory of theirs, its socket then moved into ours
    Path theirs = Files.createDirectory(tmp.resolve("nobody"));
    Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path received = theirs.resolve("received");
    Path source =
        Files.writeString(
            theirs.resolve("L.java"),
            """
            import java.net.*;
            import java.nio.channels.*;
            import java.nio.file.*;
            public class L {
              public static void main(String[] a) throws Exception {
                var s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                s.bind(UnixDomainSocketAddress.of(Path.of(a[0])));
                System.out.println("up");
                try (var c = s.accept()) {
                  Files.write(Path.of(a[1]), Channels.newInputStream(c).readAllBytes());
                }
              }
            }
            """);
    Path sock = theirs.resolve("l.sock");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                "setpriv",
                "--reuid=" + NOBODY,
                "--regid=" + NOBODY,
                "--clear-groups",
                java,
                source.toString(),
                sock.toString(),
                received.toString())
            .redirectErrorStream(true)
            .start();
    try {
      assertThat(
              new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))
                  .readLine())
          .isEqualTo("up");
      Files.move(sock, mine.resolve(buildId() + ".sock"));
      String err = session();
      assertThat(err).contains("served by another user").contains("one-shot");
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the listener saw the relay hang up").isTrue();
      assertThat(Files.readString(received)).as("bytes the listener received").isEmpty();
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void daemon_refusesASocketDirOpenToOthers() throws Exception {
    socketDir("open", "rwxrwxrwx");
    Cmd.Result r = Cmd.run(tmp, env, 60, Dist.launcher().toString(), "daemon", "run");
    assertThat(r.code()).isNotZero();
    assertThat(r.err()).contains("open to other users");
  }

  @Test
  void relayHelpVersionAndUnknownFlags_printAndExit_neverStartADaemon() throws Exception {
    Path d = socketDir("sockets", "rwx------");
    Cmd.Result help = Cmd.run(tmp, env, 30, Dist.relay().toString(), "--help").ok();
    assertThat(help.out()).contains("usage: progcache-relay");
    assertThat(Cmd.run(tmp, env, 30, Dist.relay().toString(), "-h").ok().out()).contains("usage:");
    assertThat(Cmd.run(tmp, env, 30, Dist.relay().toString(), "--version").ok().out())
        .startsWith("progcache-relay ");
    // run by a person (stdin a terminal): a bad flag prints and exits
    String cmd = Dist.relay() + " --bogus";
    Cmd.Result unknown = Cmd.run(tmp, env, 30, "script", "-qec", cmd, "/dev/null");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.out()).contains("unknown flag --bogus").contains("--help");
    Cmd.Result noValue =
        Cmd.run(tmp, env, 30, "script", "-qec", Dist.relay() + " --dir", "/dev/null");
    assertThat(noValue.code()).isEqualTo(2);
    try (var files = Files.list(d)) {
      assertThat(files.toList()).as("nothing started in the socket directory").isEmpty();
    }
  }

  @Test
  void relayStartedByGo_dropsABadFlagWithOneLine_andServes() throws Exception {
    socketDir("sockets", "rwx------");
    String err = session("--bogus", "-v");
    assertThat(err)
        .contains("unknown flag --bogus")
        .contains("ignored")
        .contains("progcache: gets=1");
  }

  private static boolean isRoot() throws Exception {
    return Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0);
  }

  private static void chown(Path p, int uid) throws Exception {
    Cmd.run(p.getParent(), Map.of(), 30, "chown", uid + ":" + uid, p.toString()).ok();
  }
}
