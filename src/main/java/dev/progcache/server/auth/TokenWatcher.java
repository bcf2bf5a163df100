package dev.progcache.server.auth;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The current {@link Tokens}: exactly the valid lines of the tokens file as it is now, read again
 * every {@code interval} and reloaded when its content changed, so that adding or removing a line
 * takes effect without a restart (revocation within one interval plus a read).
 *
 * <p>A token is valid only while its line is in the file. A reload never keeps an old token: a
 * malformed line (or a repeated name) is skipped and reported, the other lines take effect; an
 * empty, missing or unreadable file means no token is valid, said in one loud line until it
 * changes.
 *
 * <p>Thread-safe. {@link #close} stops the polling thread.
 */
public final class TokenWatcher implements Supplier<Tokens>, AutoCloseable {
  private final Path file;
  private final Tokens.@Nullable Principal anonymous;
  private final PrintStream err;
  private final Thread poller;
  private volatile Tokens current;

  /** The content the current tokens were read from; null when the file could not be read. */
  private volatile byte @Nullable [] content;

  private volatile boolean closed;

  private TokenWatcher(
      Path file,
      Tokens.@Nullable Principal anonymous,
      PrintStream err,
      Tokens first,
      byte[] content,
      Duration interval) {
    this.file = file;
    this.anonymous = anonymous;
    this.err = err;
    this.current = first;
    this.content = content;
    this.poller =
        Thread.ofPlatform().daemon().name("progcache-tokens").unstarted(() -> poll(interval));
  }

  /**
   * Loads {@code file} (strictly: the server does not start on a malformed or empty file) and
   * starts watching it.
   *
   * @throws IOException when the first load fails (the message names the file and line)
   */
  public static TokenWatcher start(
      Path file, Tokens.@Nullable Principal anonymous, PrintStream err, Duration interval)
      throws IOException {
    byte[] c = Files.readAllBytes(file);
    List<String> warnings = new ArrayList<>();
    Tokens t = Tokens.load(file, anonymous, warnings);
    warnings.forEach(w -> err.println("progcache serve: warning: " + w));
    TokenWatcher w = new TokenWatcher(file, anonymous, err, t, c, interval);
    w.poller.start();
    return w;
  }

  @Override
  public Tokens get() {
    return current;
  }

  /** Reads the file now and reloads if it changed; returns whether the tokens were replaced. */
  boolean check() {
    byte[] now;
    String unreadable = null;
    try {
      now = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      now = null;
      unreadable = "is missing";
    } catch (IOException e) {
      now = null;
      unreadable = "cannot be read (" + e.getMessage() + ")";
    }
    byte[] before = content;
    if (now == null ? before == null : before != null && Arrays.equals(now, before)) {
      return false;
    }
    content = now;
    List<String> problems = new ArrayList<>();
    List<String> lines =
        now == null ? List.of() : new String(now, StandardCharsets.UTF_8).lines().toList();
    Tokens t = Tokens.lenient(lines, file.toString(), anonymous, problems);
    current = t;
    problems.forEach(p -> err.println("progcache serve: warning: " + p));
    if (t.size() == 0) {
      err.println(
          "progcache serve: WARNING: the tokens file "
              + file
              + " "
              + (unreadable != null ? unreadable : "holds no valid token")
              + ": NO token is valid until it holds one (progcache token create)");
    } else {
      err.println("progcache serve: reloaded " + file + " (" + t.size() + " tokens)");
    }
    return true;
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
