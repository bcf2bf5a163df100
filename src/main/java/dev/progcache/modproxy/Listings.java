package dev.progcache.modproxy;

import dev.progcache.cache.Stats;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Answers that change: a module's version list and {@code @latest}, and the checksum database's
 * {@code supported}, {@code latest} and lookups. Each is asked of the upstream again once older
 * than the time to live, and while the upstream fails the last good answer is served stale (with a
 * log line) — from memory, else from this disk or the bucket, where each 200 answer is kept.
 * Concurrent refreshes of one answer share one upstream request.
 *
 * <p>Thread-safe; blocking.
 */
final class Listings {
  /** A file whose answer changes. */
  interface Listed {
    /** Its name in the store (under {@code l/}). */
    String storeKey();

    /** Its path under a proxy's base URL. */
    String upstreamPath();

    /** What messages call it. */
    String describe();
  }

  /** An answer: a 200 with the body, or the 404/410 the upstreams gave; when it was fetched. */
  record Listing(int status, byte[] body, long fetchedMillis) {}

  /** Lists kept in memory at most (each is small); the disk keeps the rest. */
  private static final int MEMORY = 20_000;

  private static final long MAX_LIST = 16L << 20;
  private final DiskFiles disk;
  private final @Nullable ModStore shared;
  private final Upstreams upstreams;
  private final Stats stats;
  private final PrintStream err;
  private final Duration ttl;
  private final LongSupplier clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, Listing> memory =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Listing> e) {
          return size() > MEMORY;
        }
      };
  private final ConcurrentHashMap<String, CompletableFuture<Optional<Listing>>> inflight =
      new ConcurrentHashMap<>();

  /** Where lists come from and go to, and how long one is fresh. */
  record Sources(DiskFiles disk, @Nullable ModStore shared, Upstreams upstreams, Duration ttl) {}

  Listings(Sources s, Stats stats, PrintStream err, LongSupplier clock) {
    this.disk = s.disk();
    this.shared = s.shared();
    this.upstreams = s.upstreams();
    this.ttl = s.ttl();
    this.stats = stats;
    this.err = err;
    this.clock = clock;
  }

  /**
   * The answer for {@code r}: fresh, refreshed, or stale while the upstream fails; empty when it
   * fails and nothing was ever fetched ({@code failure} then says why).
   */
  Optional<Listing> get(Listed r, StringBuilder failure) throws IOException {
    String key = r.storeKey();
    Listing known = remembered(key);
    if (known != null && clock.getAsLong() - known.fetchedMillis() < ttl.toMillis()) {
      stats.add(ModStats.LIST_HITS, 1);
      return Optional.of(known);
    }
    CompletableFuture<Optional<Listing>> mine = new CompletableFuture<>();
    CompletableFuture<Optional<Listing>> running = inflight.putIfAbsent(key, mine);
    if (running == null) {
      try {
        mine.complete(refresh(r, known, failure));
      } catch (IOException | RuntimeException e) {
        failure.append("cannot refresh ").append(r.describe()).append(": ").append(e.getMessage());
        mine.complete(Optional.empty());
      } finally {
        inflight.remove(key, mine);
      }
      running = mine;
    }
    try {
      Optional<Listing> l = running.get();
      if (l.isEmpty() && failure.isEmpty()) {
        failure
            .append("the upstream proxies failed for ")
            .append(r.describe())
            .append(" and no earlier answer is kept");
      }
      return l;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException e) {
      return Optional.empty();
    }
  }

  private Optional<Listing> refresh(Listed r, @Nullable Listing known, StringBuilder failure)
      throws IOException {
    String key = r.storeKey();
    stats.add(ModStats.LIST_REFRESHES, 1);
    Path tmp = disk.tempFor(key);
    try {
      Upstreams.Answer a = upstreams.get(r.upstreamPath(), tmp, MAX_LIST);
      if (a instanceof Upstreams.Got g) {
        Listing l = new Listing(200, Files.readAllBytes(tmp), clock.getAsLong());
        keep(key, l);
        if (shared != null) {
          try {
            shared.put(key, tmp, g.size());
          } catch (IOException e) {
            err.println(
                "progcache serve: modproxy: cannot keep "
                    + key
                    + " in "
                    + shared.describe()
                    + ": "
                    + e.getMessage());
          }
        }
        disk.commit(key, tmp);
        return Optional.of(l);
      }
      if (a instanceof Upstreams.Missing m) {
        Listing l =
            new Listing(m.status(), m.body().getBytes(StandardCharsets.UTF_8), clock.getAsLong());
        keep(key, l);
        return Optional.of(l);
      }
      stats.add(ModStats.UPSTREAM_ERRORS, 1);
      String why = ((Upstreams.Failed) a).message();
      Optional<Listing> stale = known != null ? Optional.of(known) : kept(key, tmp);
      if (stale.isEmpty()) {
        failure.append(why);
        return stale;
      }
      stats.add(ModStats.LIST_STALE, 1);
      long age =
          stale.get().fetchedMillis() < 0
              ? -1
              : (clock.getAsLong() - stale.get().fetchedMillis()) / 1000;
      err.println(
          "progcache serve: modproxy: "
              + why
              + "; serving the "
              + r.describe()
              + " answer kept "
              + (age < 0 ? "before this server started" : "from " + age + " s ago"));
      return stale;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private @Nullable Listing remembered(String key) {
    lock.lock();
    try {
      return memory.get(key);
    } finally {
      lock.unlock();
    }
  }

  private void keep(String key, Listing l) {
    lock.lock();
    try {
      memory.put(key, l);
    } finally {
      lock.unlock();
    }
  }

  /** The 200 answer kept on this disk or in the bucket by an earlier run or replica. */
  private Optional<Listing> kept(String key, Path tmp) throws IOException {
    Optional<DiskFiles.Opened> o = disk.open(key);
    if (o.isPresent()) {
      try (var ch = o.get().channel()) {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(MAX_LIST, o.get().size()));
        while (b.hasRemaining() && ch.read(b) >= 0) {
          // fill
        }
        return Optional.of(new Listing(200, b.array(), -1));
      }
    }
    try {
      if (shared != null && shared.fetch(key, tmp)) {
        return Optional.of(new Listing(200, Files.readAllBytes(tmp), -1));
      }
    } catch (IOException e) {
      err.println("progcache serve: modproxy: " + e.getMessage());
    }
    return Optional.empty();
  }
}
