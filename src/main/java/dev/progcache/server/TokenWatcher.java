package dev.progcache.server;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The current {@link Tokens}, reloaded from the tokens file when it changes (its modification time,
 * size or file identity, checked every {@code interval}), so that adding or removing a line takes
 * effect without a restart. A file that no longer parses is reported and the previous tokens stay
 * in force until it is fixed.
 *
 * <p>Thread-safe. {@link #close} stops the polling thread.
 */
final class TokenWatcher implements Supplier<Tokens>, AutoCloseable {
  private record Stamp(long modified, long size, @Nullable Object key) {}

  private final Path file;
  private final Tokens.@Nullable Principal anonymous;
  private final PrintStream err;
  private final Thread poller;
  private volatile Tokens current;
  private volatile @Nullable Stamp stamp;
  private volatile boolean closed;

  private TokenWatcher(Path file, Tokens.@Nullable Principal anonymous, PrintStream err, Tokens first, @Nullable Stamp s, Duration interval) {
    this.file = file;
    this.anonymous = anonymous;
    this.err = err;
    this.current = first;
    this.stamp = s;
    this.poller = Thread.ofPlatform().daemon().name("progcache-tokens").unstarted(() -> poll(interval));
  }

  /**
   * Loads {@code file} and starts watching it.
   *
   * @throws IOException when the first load fails (the message names the file and line)
   */
  static TokenWatcher start(
      Path file, Tokens.@Nullable Principal anonymous, PrintStream err, Duration interval)
      throws IOException {
    Stamp s = stamp(file);
    Tokens t = load(file, anonymous, err);
    TokenWatcher w = new TokenWatcher(file, anonymous, err, t, s, interval);
    w.poller.start();
    return w;
  }

  @Override
  public Tokens get() {
    return current;
  }

  /** Reloads now if the file changed; returns whether the tokens were replaced. */
  boolean check() {
    Stamp s;
    try {
      s = stamp(file);
    } catch (IOException e) {
      if (stamp != null) {
        err.println("progcache serve: cannot read the tokens file " + file + " (" + e.getClass().getSimpleName() + "); keeping the tokens loaded before");
        stamp = null;
      }
      return false;
    }
    if (s.equals(stamp)) {
      return false;
    }
    stamp = s;
    try {
      Tokens t = load(file, anonymous, err);
      current = t;
      err.println("progcache serve: reloaded " + file + " (" + t.size() + " tokens)");
      return true;
    } catch (IOException e) {
      err.println(
          "progcache serve: the tokens file changed but cannot be used: "
              + e.getMessage()
              + "; keeping the tokens loaded before until it is fixed");
      return false;
    }
  }

  private void poll(Duration interval) {
    while (!closed) {
      try {
        Thread.sleep(interval);
      } catch (InterruptedException e) {
        return;
      }
      check();
    }
  }

  private static Tokens load(Path file, Tokens.@Nullable Principal anonymous, PrintStream err)
      throws IOException {
    List<String> warnings = new ArrayList<>();
    Tokens t = Tokens.load(file, anonymous, warnings);
    warnings.forEach(w -> err.println("progcache serve: warning: " + w));
    return t;
  }

  private static Stamp stamp(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return new Stamp(a.lastModifiedTime().toMillis(), a.size(), a.fileKey());
  }

  @Override
  public void close() {
    closed = true;
    poller.interrupt();
  }

  @Override
  public String toString() {
    return "tokens from " + Objects.toString(file);
  }
}
