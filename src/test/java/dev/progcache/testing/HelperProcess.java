package dev.progcache.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real helper process (the built launcher) driven over raw pipes: write request lines, read
 * answer lines with a timeout. Stderr is collected. Closing kills the process if still alive.
 */
public final class HelperProcess implements AutoCloseable {
  private static final String EOF = "\u0000EOF";
  private final Process process;
  private final OutputStream stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuffer stderr = new StringBuffer();
  private final Thread outReader;
  private final Thread errReader;

  private HelperProcess(Process p) {
    this.process = p;
    this.stdin = p.getOutputStream();
    this.outReader = Thread.ofPlatform().daemon().start(() -> pump(p, true));
    this.errReader = Thread.ofPlatform().daemon().start(() -> pump(p, false));
  }

  /** Starts {@code bin/progcache args...} with extra environment. */
  public static HelperProcess start(Map<String, String> env, String... args) throws IOException {
    return startProgram(Dist.launcher(), env, args);
  }

  /** Starts {@code program args...} (e.g. the relay) with extra environment. */
  public static HelperProcess startProgram(Path program, Map<String, String> env, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(program.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("GOCACHE");
    pb.environment().remove("PROGCACHE_DIR");
    pb.environment().putAll(env);
    return new HelperProcess(pb.start());
  }

  /** Starts the helper on cache directory {@code dir}, verbose. */
  public static HelperProcess start(Path dir) throws IOException {
    return start(Map.of(), "--dir", dir.toString(), "-v");
  }

  private void pump(Process p, boolean out) {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                out ? p.getInputStream() : p.getErrorStream(), StandardCharsets.UTF_8))) {
      for (String l = r.readLine(); l != null; l = r.readLine()) {
        if (out) {
          lines.add(l);
        } else {
          stderr.append(l).append('\n');
        }
      }
    } catch (IOException e) {
      // process gone
    } finally {
      if (out) {
        lines.add(EOF);
      }
    }
  }

  /** Writes raw bytes to the helper's stdin and flushes. */
  public void write(String s) throws IOException {
    stdin.write(s.getBytes(StandardCharsets.UTF_8));
    stdin.flush();
  }

  /** Streams raw bytes. */
  public OutputStream stdin() {
    return stdin;
  }

  /** Closes the helper's stdin (EOF). */
  public void closeStdin() throws IOException {
    stdin.close();
  }

  /** The next stdout line, or null at EOF; fails after {@code seconds}. */
  public String readLine(long seconds) throws InterruptedException {
    String l = lines.poll(seconds, TimeUnit.SECONDS);
    if (l == null) {
      throw new AssertionError(
          "no answer from the helper within " + seconds + " s; stderr:\n" + stderr);
    }
    if (l.equals(EOF)) {
      lines.add(EOF);
      return null;
    }
    return l;
  }

  /** Waits for exit and returns the status; fails after {@code seconds}. */
  public int waitFor(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new AssertionError("helper still running after " + seconds + " s; stderr:\n" + stderr);
    }
    errReader.join(TimeUnit.SECONDS.toMillis(5));
    outReader.join(TimeUnit.SECONDS.toMillis(5));
    return process.exitValue();
  }

  public String stderr() {
    return stderr.toString();
  }

  public Process process() {
    return process;
  }

  @Override
  public void close() {
    Processes.kill(process);
  }
}
