package dev.progcache.cli;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.SequenceInputStream;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The training run behind the launcher's AOT cache: helper sessions over a scripted mix of puts,
 * hits, misses and a close, in a temporary directory, so that the classes and methods of the
 * GOCACHEPROG path are loaded, linked and profiled at build time. With {@code --remote URL} (a
 * {@code progcache serve} on loopback, started by the build script) one more session starts in an
 * empty directory and reads the server's entries back (manifest, batches, single gets), which is
 * what a fresh runner's first second is made of. The build script fills the server first with
 * {@code --upload-only}, in a process of its own: the upload client's classes would otherwise join
 * the cache, and every start loads all of its classes (measured: +8 ms per start). With {@code
 * --daemon} a daemon runs in this process first and serves relay sessions, so that a new daemon
 * starts from the same cache ({@link #daemonTraining}). Not for users.
 *
 * <p>Usage: {@code __train [ROUNDS] [--daemon] [--remote URL [--upload-only]]}.
 */
final class Train {
  private Train() {}

  /** Entries of the shared-tier sessions. */
  private static final int REMOTE_ENTRIES = 200;

  /** How long the reading session holds back its later gets, so that its prefetch runs. */
  private static final long HOLD_BACK_MILLIS = 400;

  static int run(List<String> args) throws ConfigException {
    int rounds = 3;
    String remote = null;
    boolean uploadOnly = false;
    boolean daemon = false;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--remote") && i + 1 < args.size()) {
        remote = args.get(++i);
      } else if (a.equals("--upload-only")) {
        uploadOnly = true;
      } else if (a.equals("--daemon")) {
        daemon = true;
      } else {
        try {
          rounds = Integer.parseInt(a);
        } catch (NumberFormatException e) {
          throw new ConfigException(
              "training: usage: __train [ROUNDS] [--daemon] [--remote URL [--upload-only]]");
        }
      }
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("progcache-train");
    } catch (IOException e) {
      throw new ConfigException("training: cannot create a temp dir: " + e.getMessage());
    }
    if (daemon && !uploadOnly) {
      Path d;
      try {
        d = Files.createTempDirectory("progcache-train-daemon");
      } catch (IOException e) {
        deleteTree(dir);
        throw new ConfigException("training: cannot create a temp dir: " + e.getMessage());
      }
      try {
        daemonTraining(d, remote);
      } catch (ConfigException e) {
        deleteTree(dir);
        throw e;
      } finally {
        deleteTree(d);
      }
    }
    try {
      // Mark the directory as just trimmed: the daily trim's classes then stay out of the AOT
      // cache, which loads every class it holds at startup, before the handshake.
      markTrimmed(dir);
      for (int i = 0; i < rounds && !uploadOnly; i++) {
        byte[] script = script(new Random(i), 400, true);
        int rc =
            i == 0
                ? defaultSession(dir, new ByteArrayInputStream(script))
                : session(
                    Map.of("dir", dir.toString(), "verbose", "true"),
                    new ByteArrayInputStream(script));
        if (rc != 0) {
          return rc;
        }
      }
      if (remote == null) {
        return 0;
      }
      Path home = dir.resolve(uploadOnly ? "upload" : "fresh");
      try {
        Files.createDirectories(home);
      } catch (IOException e) {
        throw new ConfigException("training: cannot create " + home + ": " + e.getMessage());
      }
      markTrimmed(home);
      Map<String, String> cfg = Map.of("dir", home.toString(), "verbose", "true", "remote", remote);
      if (uploadOnly) {
        return session(cfg, new ByteArrayInputStream(script(new Random(7), REMOTE_ENTRIES, true)));
      }
      byte[] gets = script(new Random(7), REMOTE_ENTRIES, false);
      int head = nthLine(gets, 8); // a few gets at once, the rest once the prefetch is under way
      InputStream in =
          new SequenceInputStream(
              new ByteArrayInputStream(gets, 0, head),
              new HeldBack(new ByteArrayInputStream(gets, head, gets.length - head)));
      return session(cfg, in);
    } finally {
      deleteTree(dir);
    }
  }

  /**
   * A session as go starts one with no flag and no progcache setting: the configuration read
   * leniently from an environment, the directory found from {@code GOCACHE} (below {@code dir}). A
   * class the cache lacks is read from the jar, and the first one opens it: 12-16 ms of every
   * start, measured when this path was not trained.
   */
  private static int defaultSession(Path dir, InputStream script) throws ConfigException {
    System.getenv(); // the helper's first read of its environment: its classes join the cache
    Map<String, String> env =
        Map.of("GOCACHE", dir.resolve("go-build").toString(), "HOME", dir.toString());
    HelperConfig cfg = HelperConfig.lenient(List.of(), env);
    trimmedDefaultDir(env);
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    return checked(Helper.run(cfg, script, OutputStream.nullOutputStream(), quiet, env));
  }

  /**
   * Creates the directory a helper with no flag and no setting uses in {@code env} (from {@code
   * GOCACHE}), marked as just trimmed.
   */
  private static void trimmedDefaultDir(Map<String, String> env) throws ConfigException {
    Path home = HelperConfig.lenient(List.of(), env).resolveDir(env);
    try {
      Files.createDirectories(home);
    } catch (IOException e) {
      throw new ConfigException("training: cannot create " + home + ": " + e.getMessage());
    }
    markTrimmed(home);
  }

  private static int session(Map<String, String> flags, InputStream script) throws ConfigException {
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    return checked(
        Helper.run(
            HelperConfig.of(flags), script, OutputStream.nullOutputStream(), quiet, Map.of()));
  }

  private static int checked(int rc) {
    if (rc != 0) {
      System.err.println("progcache: training session failed with status " + rc);
    }
    return rc;
  }

  /**
   * The daemon's part of the training ({@code --daemon}): this build's daemon in this process, and
   * relay sessions to it as {@code progcache-relay} opens them (go's pipes handed over through a
   * child process's descriptors, as the relay hands over its own): puts, hits and misses in the
   * default directory, the same again on the warm store, and with {@code remote} a fresh directory
   * reading the server's entries. Without it a new daemon read ~250 classes from the jar and the
   * JDK before it listened (ADR 0036). One cache serves both: the helper's start measured the same
   * with the daemon's classes in it.
   */
  private static void daemonTraining(Path dir, @Nullable String remote) throws ConfigException {
    Map<String, String> env =
        Map.of(
            "PROGCACHE_SOCKET_DIR", dir.resolve("sock").toString(),
            "GOCACHE", dir.resolve("go-build").toString(),
            "HOME", dir.toString());
    trimmedDefaultDir(env);
    try {
      Path fresh = Files.createDirectories(dir.resolve("fresh"));
      markTrimmed(fresh);
      DaemonCommand.train(
          env,
          socket -> {
            relaySession(socket, env, dir, List.of(), script(new Random(0), 400, true));
            relaySession(socket, env, dir, List.of(), script(new Random(0), 400, true));
            if (remote != null) {
              relaySession(
                  socket,
                  env,
                  dir,
                  List.of("--remote", remote, "--dir", fresh.toString()),
                  script(new Random(7), REMOTE_ENTRIES, false));
            }
          });
    } catch (IOException e) {
      throw new ConfigException("training: the daemon's sessions failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("training: interrupted");
    }
  }

  /**
   * One session through {@code socket} as the relay runs it: the hello, then go's requests on pipes
   * the daemon opens itself (those of a child process, standing in for the relay's), or on the
   * socket when the daemon cannot. Returns once {@code script}'s close is answered.
   */
  private static void relaySession(
      Path socket, Map<String, String> env, Path cwd, List<String> args, byte[] script)
      throws IOException, InterruptedException {
    Process child = null;
    try {
      child =
          new ProcessBuilder("sleep", "120").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      // no sleep(1): the session goes over the socket
    }
    Process pipes = child;
    SocketChannel ch = null;
    try {
      ch = SocketChannel.open(StandardProtocolFamily.UNIX);
      ch.connect(UnixDomainSocketAddress.of(socket));
      SocketChannel connection = ch;
      // a session that never ends must not hang the build: after a minute its reads fail
      Thread watchdog =
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    try {
                      Thread.sleep(SESSION_LIMIT_MILLIS);
                    } catch (InterruptedException e) {
                      return;
                    }
                    try {
                      connection.close();
                    } catch (IOException e) {
                      // closing anyway
                    }
                    if (pipes != null) {
                      pipes.destroyForcibly();
                    }
                  });
      try {
        converse(ch, pipes, env, cwd, args, script);
      } finally {
        watchdog.interrupt();
      }
    } finally {
      if (ch != null) {
        ch.close();
      }
      if (child != null) {
        child.destroyForcibly();
      }
    }
  }

  /** How long one training session through the daemon may take. */
  private static final long SESSION_LIMIT_MILLIS = 60_000;

  /** The hello, go's side of {@code script}, and the wait for the daemon to end the session. */
  private static void converse(
      SocketChannel ch,
      @Nullable Process child,
      Map<String, String> env,
      Path cwd,
      List<String> args,
      byte[] script)
      throws IOException, InterruptedException {
    OutputStream toSocket = Channels.newOutputStream(ch);
    toSocket.write(
        dev.progcache.daemon.Hello.relay(
            child != null ? child.pid() : ProcessHandle.current().pid(),
            cwd.toString(),
            args,
            env,
            child != null));
    toSocket.flush();
    InputStream fromSocket = new BufferedInputStream(Channels.newInputStream(ch));
    fromSocket.mark(1);
    boolean direct = child != null && fromSocket.read() == 'D';
    if (!direct) {
      fromSocket.reset(); // the daemon serves on the socket: its first byte is the handshake's
    }
    OutputStream requests = direct ? child.getOutputStream() : toSocket;
    InputStream answers = direct ? child.getInputStream() : fromSocket;
    Thread feeder =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    requests.write(script);
                    requests.flush();
                  } catch (IOException e) {
                    // the daemon went away: the reader below sees it
                  }
                });
    String close = "{\"ID\":" + requestCount(script) + "}";
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(answers, StandardCharsets.UTF_8));
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      if (line.equals(close)) {
        break;
      }
    }
    feeder.join(10_000);
    // the daemon closes the connection once its housekeeping after the session is done
    if (direct) {
      fromSocket.transferTo(OutputStream.nullOutputStream());
    } else {
      lines.transferTo(Writer.nullWriter());
    }
  }

  /** The requests in a script: its lines that are JSON objects (the others are bodies). */
  static int requestCount(byte[] script) {
    int n = 0;
    boolean lineStart = true;
    for (byte b : script) {
      if (lineStart && b == '{') {
        n++;
      }
      lineStart = b == '\n';
    }
    return n;
  }

  /** The offset just past the {@code n}th newline of {@code b} (its length if there are fewer). */
  static int nthLine(byte[] b, int n) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == '\n' && --n == 0) {
        return i + 1;
      }
    }
    return b.length;
  }

  /** A stream whose first read waits {@link #HOLD_BACK_MILLIS}. */
  private static final class HeldBack extends FilterInputStream {
    private boolean waited;

    HeldBack(InputStream in) {
      super(in);
    }

    private void hold() throws InterruptedIOException {
      if (!waited) {
        waited = true;
        try {
          Thread.sleep(HOLD_BACK_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("training interrupted");
        }
      }
    }

    @Override
    public int read() throws IOException {
      hold();
      return super.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      hold();
      return super.read(b, off, len);
    }
  }

  private static void markTrimmed(Path dir) throws ConfigException {
    try {
      Files.writeString(dir.resolve("trim.txt"), System.currentTimeMillis() / 1000 + "\n");
    } catch (IOException e) {
      throw new ConfigException("training: cannot write to " + dir + ": " + e.getMessage());
    }
  }

  /**
   * Requests as go writes them: puts with bodies (unless {@code puts} is false: the same entries'
   * gets only), gets that hit and miss, one unknown, close.
   */
  static byte[] script(Random rnd, int n, boolean puts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    Base64.Encoder b64 = Base64.getEncoder();
    long id = 1;
    byte[][] actions = new byte[n][];
    for (int i = 0; i < n; i++) {
      actions[i] = new byte[32];
      rnd.nextBytes(actions[i]);
      int size = i % 10 == 0 ? 0 : rnd.nextInt(i % 50 == 1 ? 300_000 : 3_000);
      byte[] body = new byte[size];
      rnd.nextBytes(body);
      if (!puts) {
        continue;
      }
      String out = b64.encodeToString(sha256(body));
      StringBuilder s = new StringBuilder();
      s.append("{\"ID\":")
          .append(id++)
          .append(",\"Command\":\"put\",\"ActionID\":\"")
          .append(b64.encodeToString(actions[i]))
          .append("\",\"OutputID\":\"")
          .append(out)
          .append('"');
      if (size > 0) {
        s.append(",\"BodySize\":")
            .append(size)
            .append("}\n\"")
            .append(b64.encodeToString(body))
            .append('"');
      } else {
        s.append('}');
      }
      s.append('\n');
      b.writeBytes(s.toString().getBytes(StandardCharsets.US_ASCII));
    }
    for (int i = 0; i < 2 * n; i++) {
      byte[] a = actions[rnd.nextInt(n)].clone();
      if (i % 3 == 0) {
        a[0] ^= 0x55; // a miss
      }
      b.writeBytes(
          ("{\"ID\":"
                  + id++
                  + ",\"Command\":\"get\",\"ActionID\":\""
                  + b64.encodeToString(a)
                  + "\"}\n")
              .getBytes(StandardCharsets.US_ASCII));
    }
    b.writeBytes(
        ("{\"ID\":" + id++ + ",\"Command\":\"nope\"}\n").getBytes(StandardCharsets.US_ASCII));
    b.writeBytes(
        ("{\"ID\":" + id + ",\"Command\":\"close\"}\n").getBytes(StandardCharsets.US_ASCII));
    return b.toByteArray();
  }

  static byte[] sha256(byte[] body) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(body);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp dir left behind is harmless
    }
  }
}
