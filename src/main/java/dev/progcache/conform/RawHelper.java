package dev.progcache.conform;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A helper process on raw pipes: request lines written as given, stdout read line by line on its
 * own thread so the helper never blocks on a full pipe. Stderr is shared with ours. Closing kills
 * the process if it is still running. Not thread-safe.
 */
final class RawHelper implements AutoCloseable {
  private static final String EOF = "\u0000EOF";
  private final Process process;
  private final OutputStream stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private RawHelper(Process process) {
    this.process = process;
    this.stdin = process.getOutputStream();
    Thread.ofPlatform().daemon().name("conform stdout " + process.pid()).start(this::pump);
  }

  static RawHelper start(List<String> argv) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT);
    try {
      return new RawHelper(pb.start());
    } catch (IOException e) {
      throw new IOException(
          "cannot start the helper " + argv.getFirst() + ": " + e.getMessage(), e);
    }
  }

  private void pump() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String l = r.readLine(); l != null; l = r.readLine()) {
        lines.add(l);
      }
    } catch (IOException e) {
      // the process is gone: end of output
    } finally {
      lines.add(EOF);
    }
  }

  /** Writes {@code s} (one or more whole lines) and flushes. */
  void write(String s) throws IOException {
    stdin.write(s.getBytes(StandardCharsets.UTF_8));
    stdin.flush();
  }

  /** Closes the helper's stdin: end of input, as when go exits without close. */
  void closeStdin() throws IOException {
    stdin.close();
  }

  /**
   * The next stdout line, or empty at end of output.
   *
   * @throws CaseFailure when no line came within {@code limit}
   */
  Optional<String> line(Duration limit) throws CaseFailure, InterruptedException {
    String l = lines.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
    if (l == null) {
      throw new CaseFailure("no output from the helper within " + limit.toMillis() + " ms");
    }
    if (l.equals(EOF)) {
      lines.add(EOF);
      return Optional.empty();
    }
    return Optional.of(l);
  }

  /** The next line, parsed as an answer; fails at end of output or on non-protocol output. */
  RawAnswer answer(Duration limit) throws CaseFailure, InterruptedException {
    Optional<String> l = line(limit);
    if (l.isEmpty()) {
      throw new CaseFailure("the helper closed its stdout while answers were due");
    }
    return RawAnswer.parse(l.get());
  }

  /** Waits up to {@code limit} for the process to exit; true when it did. */
  boolean waitExit(Duration limit) throws InterruptedException {
    return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
  }

  boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    try {
      stdin.close();
    } catch (IOException e) {
      // already gone
    }
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
