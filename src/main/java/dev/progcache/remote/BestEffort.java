package dev.progcache.remote;

import dev.progcache.cache.BadPutException;
import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.wire.Manifest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Makes a remote tier safe to put behind the local disk: a get never fails and never takes longer
 * than its deadline; a failing remote opens a {@link Breaker} (one for reads, one for writes) so
 * later calls cost nothing (a get that runs into its deadline opens the read breaker at once);
 * misses are remembered for a moment ({@link NegativeCache}); a 401 (credentials not accepted)
 * turns the tier off and a 403 turns reads or writes off for the rest of the session, each reported
 * once with a hint; credentials that cannot be had (a failed id-token fetch) turn both off,
 * reported once; a 429 pauses the tier.
 *
 * <p>Thread-safe. {@link #get} returns a miss instead of throwing. {@link #put} returns normally
 * when the upload succeeded or was deliberately skipped (breaker open, writes denied, object too
 * large) and throws only for failures, after counting them.
 */
public final class BestEffort implements RemoteTier {
  /**
   * How hard to try.
   *
   * @param getTimeout the whole of one get, body included
   * @param breakerFailures consecutive failures that open the breaker
   * @param breakerOpen how long the breaker stays open at first
   * @param negativeTtl how long a remote miss is remembered (zero: not at all)
   */
  public record Policy(
      Duration getTimeout, int breakerFailures, Duration breakerOpen, Duration negativeTtl) {
    public static final Policy DEFAULT =
        new Policy(Duration.ofSeconds(10), 5, Duration.ofSeconds(10), Duration.ofSeconds(30));
  }

  private final RemoteTier delegate;
  private final String name;
  private final Policy policy;
  private final RemoteLog log;
  private final Breaker reads;
  private final Breaker writes;
  private final NegativeCache negative;
  private volatile boolean readsOff;
  private volatile boolean writesOff;

  /**
   * @param name how messages name the remote (its URL without credentials)
   */
  public BestEffort(RemoteTier delegate, String name, Policy policy, RemoteLog log) {
    this(delegate, name, policy, log, System::nanoTime);
  }

  BestEffort(
      RemoteTier delegate, String name, Policy policy, RemoteLog log, LongSupplier nanoTime) {
    this.delegate = delegate;
    this.name = name;
    this.policy = policy;
    this.log = log;
    // reads and writes fail independently (a server may take uploads and trickle downloads)
    this.reads = new Breaker(policy.breakerFailures(), policy.breakerOpen(), nanoTime);
    this.writes = new Breaker(policy.breakerFailures(), policy.breakerOpen(), nanoTime);
    this.negative = new NegativeCache(policy.negativeTtl(), 100_000, nanoTime);
  }

  /**
   * A get while the read breaker is closed; while it is open, a miss at once. The half-open probe
   * is sent in the background and this get answered as a miss: no go command waits out a timeout to
   * learn whether a remote that failed is back (a daemon's breaker spans go commands, so a remote
   * that hangs costs one timeout per daemon, not one per probe).
   */
  @Override
  public Optional<Hit> get(Key action, ObjectSink sink) {
    Breaker.Pass pass = readsOff || negative.contains(action) ? Breaker.Pass.NONE : reads.pass();
    if (pass == Breaker.Pass.PROBE) {
      Thread.ofVirtual().name("progcache-probe").start(() -> call(action, sink));
    }
    if (pass != Breaker.Pass.CALL) {
      log.count(RemoteLog.SKIPPED, 1);
      return Optional.empty();
    }
    return call(action, sink);
  }

  private Optional<Hit> call(Key action, ObjectSink sink) {
    try {
      Optional<Hit> hit =
          Deadlines.call(
              () -> delegate.get(action, sink), policy.getTimeout(), "remote get " + action.hex());
      reads.success();
      if (hit.isPresent()) {
        log.count(RemoteLog.HITS, 1);
        log.count(RemoteLog.BYTES_DOWN, hit.get().entry().size());
      } else {
        log.count(RemoteLog.MISSES, 1);
        negative.add(action);
      }
      return hit;
    } catch (BadPutException e) {
      // the remote's bytes disagree with its own claim: a lying or broken remote
      reads.failure();
      log.count(RemoteLog.CORRUPT, 1);
      log.once("corrupt", "remote cache " + name + " sent a bad object, ignored it: " + reason(e));
      return Optional.empty();
    } catch (RemoteException e) {
      classify(e, "get");
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      if (e instanceof java.io.InterruptedIOException) {
        reads.trip(); // a get that ran out of time: the next ones would too, so stop asking now
      } else {
        reads.failure();
      }
      log.count(RemoteLog.ERRORS, 1);
      log.once("get", "remote cache " + name + " get failed, continuing without it: " + reason(e));
      return Optional.empty();
    }
  }

  @Override
  public void put(Key action, Key output, long size, Path body) throws IOException {
    if (writesOff || !writes.allow()) {
      log.count(RemoteLog.UPLOAD_DROPPED, 1);
      return;
    }
    try {
      delegate.put(action, output, size, body);
      writes.success();
      negative.remove(action);
      log.count(RemoteLog.UPLOADS, 1);
      log.count(RemoteLog.BYTES_UP, size);
    } catch (RemoteException e) {
      classify(e, "put");
      if (e.kind() == RemoteException.Kind.FAILED) {
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      writes.failure();
      // cut off by the uploader's deadline or drain (it interrupts): counted there, as a timeout
      // or a dropped upload, not twice
      if (!Thread.currentThread().isInterrupted()) {
        log.count(RemoteLog.UPLOAD_ERRORS, 1);
        log.once("put", "remote cache " + name + " upload failed: " + reason(e));
      }
      throw e instanceof IOException io ? io : new IOException(e.toString(), e);
    }
  }

  /**
   * Prefetches while the read breaker is closed: skipped while it is open or half-open (the probe
   * is a single get's) or reads are refused; trouble is counted ({@link RemoteLog#PREFETCH_ERRORS})
   * but does not open the breaker, since a slow batch says little about single gets. Never throws.
   */
  @Override
  public void getMany(List<Key> actions, BatchSink sink) {
    if (readsOff || !reads.closed() || actions.isEmpty()) {
      return;
    }
    try {
      Deadlines.call(
          () -> {
            delegate.getMany(actions, sink);
            return null;
          },
          policy.getTimeout().multipliedBy(3),
          "remote prefetch of " + actions.size() + " objects");
    } catch (BadPutException e) {
      log.count(RemoteLog.CORRUPT, 1);
      log.once("corrupt", "remote cache " + name + " sent a bad object, ignored it: " + reason(e));
    } catch (RemoteException e) {
      if (e.kind() == RemoteException.Kind.FAILED) {
        prefetchTrouble("prefetch", e);
      } else {
        classify(e, "get");
      }
    } catch (IOException | RuntimeException e) {
      prefetchTrouble("prefetch", e);
    }
  }

  /** The manifest, or empty for a miss, any trouble or a breaker not closed. Never throws. */
  @Override
  public Optional<Manifest> manifest(Key context) {
    if (readsOff || !reads.closed()) {
      return Optional.empty();
    }
    try {
      return Deadlines.call(
          () -> delegate.manifest(context), policy.getTimeout(), "remote prefetch manifest");
    } catch (RemoteException e) {
      if (e.kind() == RemoteException.Kind.FAILED) {
        prefetchTrouble("manifest", e);
      } else {
        classify(e, "get");
      }
    } catch (IOException | RuntimeException e) {
      prefetchTrouble("manifest", e);
    }
    return Optional.empty();
  }

  /**
   * Adds to the manifest unless writes are off or their breaker is not closed; trouble is counted,
   * never thrown.
   */
  @Override
  public void addToManifest(Key context, Manifest report) {
    if (writesOff || !writes.closed()) {
      return;
    }
    try {
      delegate.addToManifest(context, report);
    } catch (RemoteException e) {
      if (e.kind() == RemoteException.Kind.FAILED) {
        prefetchTrouble("manifest-put", e);
      } else {
        classify(e, "put");
      }
    } catch (IOException | RuntimeException e) {
      prefetchTrouble("manifest-put", e);
    }
  }

  private void prefetchTrouble(String kind, Exception e) {
    log.count(RemoteLog.PREFETCH_ERRORS, 1);
    log.once(
        kind, "remote cache " + name + " " + kind + " failed, building without it: " + reason(e));
  }

  private void classify(RemoteException e, String op) {
    switch (e.kind()) {
      case DENIED_READ -> {
        readsOff = true;
        log.count(RemoteLog.ERRORS, 1);
        refused(
            "denied-read",
            "refused reads",
            e,
            delegate.credentialsHint() + ". Continuing without remote reads.");
      }
      case DENIED_WRITE -> {
        writesOff = true;
        log.count(RemoteLog.UPLOAD_REJECTED, 1);
        refused(
            "denied-write",
            "refused uploads",
            e,
            "the credentials may be read-only ("
                + delegate.credentialsHint()
                + "). Continuing read-only.");
      }
      case UNAUTHENTICATED -> {
        readsOff = true;
        writesOff = true;
        log.count(op.equals("get") ? RemoteLog.ERRORS : RemoteLog.UPLOAD_REJECTED, 1);
        refused(
            "unauthenticated",
            "did not accept the credentials",
            e,
            delegate.credentialsHint() + ". Continuing without it.");
      }
      case NO_CREDENTIALS -> {
        readsOff = true;
        writesOff = true;
        log.count(op.equals("get") ? RemoteLog.ERRORS : RemoteLog.UPLOAD_ERRORS, 1);
        log.once("no-credentials", "remote cache " + name + " is off for this build: " + reason(e));
      }
      case TOO_LARGE -> {
        writes.success(); // the remote answered: a probe that gets a 413 found it up
        log.count(RemoteLog.UPLOAD_REJECTED, 1);
        log.once("too-large", "remote cache " + name + " rejected an object: " + reason(e));
      }
      case THROTTLED -> {
        Duration wait = e.retryAfter().orElse(policy.breakerOpen());
        if (wait.compareTo(Duration.ofMinutes(5)) > 0) {
          wait = Duration.ofMinutes(5);
        }
        reads.pause(wait);
        writes.pause(wait);
        log.count(op.equals("get") ? RemoteLog.ERRORS : RemoteLog.UPLOAD_ERRORS, 1);
        log.once(
            "throttled",
            "remote cache "
                + name
                + " asked us to back off ("
                + reason(e)
                + "); pausing it for "
                + wait.toSeconds()
                + " s");
      }
      case FAILED -> {
        (op.equals("get") ? reads : writes).failure();
        log.count(op.equals("get") ? RemoteLog.ERRORS : RemoteLog.UPLOAD_ERRORS, 1);
        log.once(op, "remote cache " + name + " " + op + " failed: " + reason(e));
      }
    }
  }

  /** Reports a refusal once: "remote cache NAME {@code what} (the answer); {@code then}". */
  private void refused(String kind, String what, RemoteException e, String then) {
    log.once(kind, "remote cache " + name + " " + what + " (" + reason(e) + "); " + then);
  }

  @Override
  public String credentialsHint() {
    return delegate.credentialsHint();
  }

  @Override
  public void warmUp() {
    delegate.warmUp();
  }

  /** The read breaker, for tests. */
  Breaker readBreaker() {
    return reads;
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** What went wrong, in words: the message, or for an exception without one, what it means. */
  static String reason(Throwable e) {
    if (e.getMessage() != null && !e.getMessage().isBlank()) {
      return e.getMessage();
    }
    return switch (e) {
      case java.io.EOFException x -> "the connection ended early";
      case java.nio.channels.ClosedChannelException x -> "the connection was closed";
      case java.io.InterruptedIOException x -> "timed out";
      case java.net.ConnectException x -> "connection refused";
      default -> "no reason given by the network layer";
    };
  }
}
