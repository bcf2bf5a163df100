package dev.progcache.modproxy;

import dev.progcache.cache.Stats;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * Immutable files (a version's info, go.mod and zip; checksum database tiles): served from this
 * disk, else from the bucket, else fetched from upstream once, checked, stored complete (bucket
 * first, so replicas see it, then disk) and served. Concurrent first requests for one file share
 * one fetch. A file that fails its check, an upstream error or a miss stores nothing, so the next
 * request tries again.
 *
 * <p>Thread-safe; blocking.
 */
final class StoredFiles {
  /** Why a fetched file must not be stored, or empty when it may. */
  @FunctionalInterface
  interface Check {
    Optional<String> problem(Path file) throws IOException;

    Check NONE = f -> Optional.empty();
  }

  /** What a request gets. */
  sealed interface Result {}

  /** The file, open. */
  record Found(DiskFiles.Opened file) implements Result {}

  /** The upstreams do not have it: their status (404 or 410) and body. */
  record Missing(int status, String body) implements Result {}

  /** It could not be fetched; the message says why. */
  record Failed(String message) implements Result {}

  private final DiskFiles disk;
  private final @Nullable ModStore shared;
  private final Upstreams upstreams;
  private final Stats stats;
  private final PrintStream err;
  private final long maxSize;

  /** Fetches under way: empty when the file is now on disk, else what to answer. */
  private final ConcurrentHashMap<String, CompletableFuture<Optional<Result>>> inflight =
      new ConcurrentHashMap<>();

  /**
   * @param shared the bucket replicas share, or null
   * @param maxSize the largest file fetched (--max-module-size)
   */
  StoredFiles(DiskFiles disk, @Nullable ModStore shared, Upstreams upstreams, Limits limits) {
    this.disk = disk;
    this.shared = shared;
    this.upstreams = upstreams;
    this.stats = limits.stats();
    this.err = limits.err();
    this.maxSize = limits.maxSize();
  }

  /** What a fetch may use besides the stores: its size limit, counters and log. */
  record Limits(long maxSize, Stats stats, PrintStream err) {}

  /**
   * The file stored as {@code key}, fetched as {@code upstreamPath} from the proxies on a miss and
   * stored only when {@code check} finds no problem.
   */
  Result get(String key, String upstreamPath, Check check) throws IOException {
    Optional<DiskFiles.Opened> here = disk.open(key);
    if (here.isPresent()) {
      stats.add(ModStats.HITS, 1);
      return new Found(here.get());
    }
    CompletableFuture<Optional<Result>> mine = new CompletableFuture<>();
    CompletableFuture<Optional<Result>> running = inflight.putIfAbsent(key, mine);
    if (running == null) {
      try {
        mine.complete(load(key, upstreamPath, check));
      } catch (IOException | RuntimeException e) {
        mine.complete(Optional.of(new Failed("cannot store " + key + ": " + e.getMessage())));
      } finally {
        inflight.remove(key, mine);
      }
      running = mine;
    } else {
      stats.add(ModStats.JOINED, 1);
    }
    Optional<Result> r;
    try {
      r = running.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Failed("interrupted while waiting for " + upstreamPath);
    } catch (ExecutionException e) {
      return new Failed(String.valueOf(e.getCause()));
    }
    if (r.isPresent()) {
      return r.get();
    }
    // every waiter opens the stored file for itself
    return disk.open(key)
        .<Result>map(Found::new)
        .orElseGet(
            () -> new Failed(upstreamPath + " was evicted at once: --max-size is too small"));
  }

  /** Fills the disk from the bucket or the upstreams: empty when the disk now holds it. */
  private Optional<Result> load(String key, String upstreamPath, Check check) throws IOException {
    if (disk.holds(key)) {
      return Optional.empty(); // a fetch that finished between our miss and our turn
    }
    Path tmp = disk.tempFor(key);
    try {
      if (shared != null && fromShared(key, tmp, check)) {
        disk.commit(key, tmp);
        stats.add(ModStats.SHARED_HITS, 1);
        return Optional.empty();
      }
      stats.add(ModStats.MISSES, 1);
      Upstreams.Answer a = upstreams.get(upstreamPath, tmp, maxSize);
      return switch (a) {
        case Upstreams.Missing m -> Optional.of(new Missing(m.status(), m.body()));
        case Upstreams.Failed f -> {
          stats.add(ModStats.UPSTREAM_ERRORS, 1);
          yield Optional.of(new Failed(f.message()));
        }
        case Upstreams.Got g -> store(key, tmp, g, check, upstreamPath);
      };
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private Optional<Result> store(
      String key, Path tmp, Upstreams.Got g, Check check, String upstreamPath) throws IOException {
    Optional<String> problem = check.problem(tmp);
    if (problem.isPresent()) {
      stats.add(ModStats.REJECTED, 1);
      String m =
          g.from()
              + " served a bad "
              + upstreamPath
              + ": "
              + problem.get()
              + "; nothing was stored";
      err.println("progcache serve: modproxy: " + m);
      return Optional.of(new Failed(m));
    }
    stats.add(ModStats.BYTES_FETCHED, g.size());
    if (shared != null) {
      try {
        shared.put(key, tmp, g.size());
      } catch (IOException e) {
        // served from this disk anyway; another replica fetches it again
        err.println(
            "progcache serve: modproxy: cannot store "
                + key
                + " in "
                + shared.describe()
                + ": "
                + e.getMessage());
      }
    }
    disk.commit(key, tmp);
    return Optional.empty();
  }

  /** Whether the bucket held a good copy of {@code key}, now in {@code tmp}. */
  private boolean fromShared(String key, Path tmp, Check check) {
    try {
      if (!shared.fetch(key, tmp)) {
        return false;
      }
      Optional<String> problem = check.problem(tmp);
      if (problem.isEmpty()) {
        return true;
      }
      err.println(
          "progcache serve: modproxy: "
              + key
              + " in "
              + shared.describe()
              + " is bad ("
              + problem.get()
              + "); fetching it again");
    } catch (IOException e) {
      err.println(
          "progcache serve: modproxy: " + e.getMessage() + "; asking the upstream proxy instead");
    }
    return false;
  }
}
