package dev.progcache.remote;

import dev.progcache.cache.Key;
import dev.progcache.wire.Manifest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Makes a shared tier read-only, quietly, when the server says its token may not write: before the
 * first upload (or manifest report) the server is asked once what the token may do, and while the
 * answer is "no writes" uploads are skipped and counted ({@link ReadOnly#SKIPPED}) instead of being
 * refused with a 403 that would be reported on every go command. The answer is remembered for
 * {@code ttl} (a daemon asks again after that, so a token given the grant starts writing). When the
 * server cannot say (an older server, an error, no answer within {@code patience}), uploads go on
 * as before and a refusal is reported as before.
 *
 * <p>Thread-safe. Reads pass through untouched and never wait for the question; {@link #put} waits
 * for it at most {@code patience}, on the uploader's thread, never on go's.
 */
public final class WriteGrant extends ForwardingTier {
  /** Asks the server whether the credentials may write: empty when it cannot say. */
  @FunctionalInterface
  public interface Question {
    Optional<Boolean> mayWrite() throws IOException;
  }

  /** The -v counter that says the shared tier was read-only in a session (set, or by its token). */
  public static final RemoteCounter READ_ONLY = RemoteCounter.READ_ONLY;

  /** How long an answer is kept, and how long an upload waits for one. */
  public record Timing(Duration ttl, Duration patience) {
    public static final Timing DEFAULT = new Timing(Duration.ofMinutes(10), Duration.ofSeconds(5));
  }

  private final Question question;
  private final Timing timing;
  private final RemoteLog log;
  private final LongSupplier nanoTime;
  private final ReentrantLock lock = new ReentrantLock();
  private CompletableFuture<Optional<Boolean>> answer = new CompletableFuture<>();
  private long askedAt;
  private boolean asked;

  public WriteGrant(RemoteTier delegate, Question question, Timing timing, RemoteLog log) {
    this(delegate, question, timing, log, System::nanoTime);
  }

  WriteGrant(
      RemoteTier delegate, Question question, Timing timing, RemoteLog log, LongSupplier nanoTime) {
    super(delegate);
    this.question = question;
    this.timing = timing;
    this.log = log;
    this.nanoTime = nanoTime;
  }

  /** Whether the server's last answer, if any, is that the token may not write. Never waits. */
  public boolean readOnly() {
    lock.lock();
    try {
      return answer.isDone() && answer.getNow(Optional.empty()).equals(Optional.of(false));
    } finally {
      lock.unlock();
    }
  }

  /** The current answer, asking (in the background) when there is none or it is older than ttl. */
  private CompletableFuture<Optional<Boolean>> current() {
    lock.lock();
    try {
      long now = nanoTime.getAsLong();
      if (!asked || (answer.isDone() && now - askedAt > timing.ttl().toNanos())) {
        asked = true;
        askedAt = now;
        CompletableFuture<Optional<Boolean>> f = new CompletableFuture<>();
        answer = f;
        Thread.ofVirtual().name("progcache-grants").start(() -> f.complete(ask()));
      }
      return answer;
    } finally {
      lock.unlock();
    }
  }

  private Optional<Boolean> ask() {
    try {
      return question.mayWrite();
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // the uploads will meet the trouble and report it
    }
  }

  /** Whether writes are to be skipped: the server said so (waiting at most {@code patience}). */
  private boolean lacksWrite() {
    try {
      return current()
          .get(timing.patience().toNanos(), TimeUnit.NANOSECONDS)
          .equals(Optional.of(false));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  @Override
  public void put(Key action, Key output, long size, Path body) throws IOException {
    if (lacksWrite()) {
      log.count(ReadOnly.SKIPPED, 1);
      return;
    }
    delegate.put(action, output, size, body);
  }

  @Override
  public void addToManifest(Key context, Manifest report) throws IOException {
    if (!lacksWrite()) {
      delegate.addToManifest(context, report);
    }
  }
}
