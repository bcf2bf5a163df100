package dev.progcache.client;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The requests in flight and the one thread that reads answers and hands each to its request by ID.
 * The first failure (bad JSON, unknown ID, end of output before close) ends the session: every
 * waiting request and every later one fails with it.
 *
 * <p>Thread-safe. The lock guards only the map and the failure, never I/O.
 */
final class Session {
  private final String prog;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<Long, CompletableFuture<Response>> inFlight = new HashMap<>();
  private long nextId;
  private long closeId = -1;
  private @Nullable HelperFailedException failure;
  private volatile boolean closing;

  Session(String prog) {
    this.prog = prog;
  }

  /** Registers interest in the handshake, the answer with ID 0. */
  CompletableFuture<Response> expectHandshake() {
    CompletableFuture<Response> f = new CompletableFuture<>();
    lock.lock();
    try {
      inFlight.put(0L, f);
    } finally {
      lock.unlock();
    }
    return f;
  }

  /**
   * Allocates the next request ID and registers {@code f} for its answer.
   *
   * @throws HelperFailedException when the session is already over
   */
  long register(CompletableFuture<Response> f, boolean isClose) throws HelperFailedException {
    lock.lock();
    try {
      if (failure != null) {
        throw new HelperFailedException(failure.getMessage(), failure);
      }
      long id = ++nextId;
      inFlight.put(id, f);
      if (isClose) {
        closeId = id;
      }
      return id;
    } finally {
      lock.unlock();
    }
  }

  /** Marks the session as ending on purpose: from now on end of output is expected. */
  void closing() {
    closing = true;
  }

  /** The failure that ended the session, if any. */
  Optional<HelperFailedException> failure() {
    lock.lock();
    try {
      return Optional.ofNullable(failure);
    } finally {
      lock.unlock();
    }
  }

  /** Ends the session with {@code e} (the first failure wins) and fails every request in flight. */
  void fail(HelperFailedException e) {
    List<CompletableFuture<Response>> waiting;
    lock.lock();
    try {
      if (failure == null) {
        failure = e;
      }
      waiting = new ArrayList<>(inFlight.values());
      inFlight.clear();
    } finally {
      lock.unlock();
    }
    for (CompletableFuture<Response> f : waiting) {
      f.completeExceptionally(failure);
    }
  }

  /** Reads answers until end of output or the first failure. Runs on the reader thread. */
  void readLoop(ResponseDecoder decoder) {
    try {
      while (readOne(decoder)) {
        // next answer
      }
    } finally {
      fail(
          new HelperFailedException(
              "the client was closed before GOCACHEPROG " + prog + " answered"));
    }
  }

  private boolean readOne(ResponseDecoder decoder) {
    Optional<Response> next;
    try {
      next = decoder.next();
    } catch (IOException e) {
      if (!closing) {
        fail(
            new HelperFailedException(
                "error reading JSON from GOCACHEPROG " + prog + ": " + e.getMessage(), e));
      }
      return false;
    }
    if (next.isEmpty()) {
      if (!closing) {
        fail(
            new HelperFailedException(
                "GOCACHEPROG "
                    + prog
                    + " exited pre-Close with "
                    + pending()
                    + " pending requests"));
      }
      return false;
    }
    Response r = next.get();
    CompletableFuture<Response> f;
    lock.lock();
    try {
      f = inFlight.remove(r.id());
      if (r.id() == closeId) {
        closing = true;
      }
    } finally {
      lock.unlock();
    }
    if (f == null) {
      fail(
          new HelperFailedException(
              "GOCACHEPROG "
                  + prog
                  + " sent response for unknown request ID "
                  + r.id()
                  + " (never sent, or already answered)"));
      return false;
    }
    f.complete(r);
    return true;
  }

  private int pending() {
    lock.lock();
    try {
      return inFlight.size();
    } finally {
      lock.unlock();
    }
  }
}
