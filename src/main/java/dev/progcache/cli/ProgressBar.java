package dev.progcache.cli;

import dev.progcache.disk.Verifier;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar redrawn in place ({@code \r}) at most ten times a second; the line is
 * cleared when done. Use only on a terminal (see {@link #stderrIsTerminal}). Not thread-safe.
 */
final class ProgressBar implements Verifier.Progress {
  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 100_000_000L;
  private final PrintStream err;
  private final LongSupplier nanoTime;
  private long total;
  private long done;
  private long lastDraw;
  private boolean advanced;

  ProgressBar(PrintStream err, LongSupplier nanoTime) {
    this.err = err;
    this.nanoTime = nanoTime;
  }

  /** Whether file descriptor 2 is a terminal (Linux: /proc/self/fd/2 names a tty device). */
  static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  @Override
  public void start(long totalBytes) {
    total = totalBytes;
    draw();
  }

  @Override
  public void advance(long bytes) {
    done += bytes;
    long now = nanoTime.getAsLong();
    if (!advanced || now - lastDraw >= REDRAW_NANOS) {
      advanced = true;
      lastDraw = now;
      draw();
    }
  }

  @Override
  public void done() {
    err.print("\r" + " ".repeat(WIDTH + 40) + "\r");
    err.flush();
  }

  private void draw() {
    double f = total == 0 ? 1 : Math.min(1, (double) done / total);
    int n = (int) (f * WIDTH);
    err.print(
        String.format(
            Locale.ROOT,
            "\rverifying [%s%s] %3.0f%% %s of %s",
            "#".repeat(n),
            " ".repeat(WIDTH - n),
            f * 100,
            TrimText.bytes(done),
            TrimText.bytes(total)));
    err.flush();
  }
}
