package dev.progcache.remote;

import dev.progcache.cache.BodySource;
import dev.progcache.cache.Buffers;
import dev.progcache.cache.BuildCache;
import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.disk.DiskStore;
import dev.progcache.disk.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The local disk in front of a shared tier. The shared tier sleeps until the first local miss or
 * put: only then are its client built and the prefetch started, so a build that finds everything on
 * disk costs the remote nothing. A get is answered from disk when it can be; on a local miss the
 * remote is asked on a virtual thread, and a remote hit is verified and written to disk
 * (read-through), then answered from there, so go always reads a local file. A put is answered once
 * the local write is done; its upload is queued (write-behind).
 *
 * <p>Thread-safe. Remote trouble is a miss, never a failed future: {@code remote} is expected to be
 * a {@link BestEffort}, and anything it still throws is a miss too. Closing drains the uploader
 * (bounded) and closes the remote; the helper closes go's stdout before that.
 */
public final class TieredCache implements BuildCache {
  private final DiskStore local;
  private final RemoteTier remote;
  private final Uploader uploader;
  private final @Nullable Prefetch prefetch;

  /** Whether closing closes the disk, remote and uploader (false: a daemon session's view). */
  private final boolean owner;

  private final java.util.concurrent.atomic.AtomicBoolean awake =
      new java.util.concurrent.atomic.AtomicBoolean();

  public TieredCache(DiskStore local, RemoteTier remote, Uploader uploader) {
    this(local, remote, uploader, null);
  }

  /**
   * @param prefetch fills the disk in the background and records what the build uses; started at
   *     the first local miss or put; a get waits for its prefetch in flight instead of asking the
   *     remote again
   */
  public TieredCache(
      DiskStore local, RemoteTier remote, Uploader uploader, @Nullable Prefetch prefetch) {
    this(local, remote, uploader, prefetch, true);
  }

  private TieredCache(
      DiskStore local,
      RemoteTier remote,
      Uploader uploader,
      @Nullable Prefetch prefetch,
      boolean owner) {
    this.local = local;
    this.remote = remote;
    this.uploader = uploader;
    this.prefetch = prefetch;
    this.owner = owner;
  }

  /**
   * One go command's view of a disk, remote and uploader that a daemon keeps for its life and
   * shares between sessions (one breaker, one negative cache, one upload queue), with this
   * session's own prefetch. Closing the view ends only the prefetch (its manifest report is queued
   * on the shared uploader); the rest stays open for the next session.
   */
  public static TieredCache session(
      DiskStore local, RemoteTier remote, Uploader uploader, @Nullable Prefetch prefetch) {
    return new TieredCache(local, remote, uploader, prefetch, false);
  }

  /**
   * Wakes the shared tier now when the local directory holds nothing (a fresh runner): go's first
   * get would miss and wake it anyway, so the client and the prefetch's manifest request start
   * while go is still loading packages instead of on that miss; and the native sha256 engine starts
   * loading, since everything fetched will be hashed. Returns this.
   */
  public TieredCache wakeIfLocalIsEmpty() {
    if (local.isEmpty()) {
      // every body this session stores will be hashed: load the fast engine now, while go starts
      // (measured: 20-35 ms less helper CPU than loading it on the first fetched body; ADR 0015)
      Sha256.preload();
      wake(true);
    }
    return this;
  }

  /** Wakes the shared tier: connects in the background and starts the prefetch. Idempotent. */
  private void wake() {
    wake(false);
  }

  private void wake(boolean localIsEmpty) {
    if (!awake.get() && awake.compareAndSet(false, true)) {
      remote.warmUp();
      if (prefetch != null) {
        prefetch.start(localIsEmpty);
      }
    }
  }

  @Override
  public CompletableFuture<Optional<Hit>> get(Key actionId) {
    Optional<Hit> hit = prefetch != null ? prefetch.landed(actionId) : Optional.empty();
    if (hit.isEmpty()) {
      hit = local.lookup(actionId);
    }
    if (hit.isPresent()) {
      noteHit(actionId);
      return CompletableFuture.completedFuture(hit);
    }
    wake();
    if (prefetch != null) {
      Optional<CompletableFuture<Optional<Hit>>> coming = prefetch.inFlight(actionId);
      if (coming.isPresent()) {
        return coming
            .get()
            .thenCompose(
                h -> {
                  if (h.isPresent()) {
                    noteHit(actionId);
                    return CompletableFuture.completedFuture(h);
                  }
                  return fromRemote(actionId);
                });
      }
    }
    return fromRemote(actionId);
  }

  private void noteHit(Key actionId) {
    if (prefetch != null) {
      prefetch.hit(actionId);
    }
  }

  private CompletableFuture<Optional<Hit>> fromRemote(Key actionId) {
    CompletableFuture<Optional<Hit>> f = new CompletableFuture<>();
    RemoteThreads.execute( // go waits for it: not behind the virtual threads' background work
        () -> {
          try {
            Optional<Hit> h =
                remote.get(actionId, (out, size, body) -> store(actionId, out, size, body));
            if (h.isPresent()) {
              noteHit(actionId);
            }
            f.complete(h);
          } catch (IOException | RuntimeException e) {
            f.complete(Optional.empty());
          }
        });
    return f;
  }

  private Hit store(Key action, Key output, long size, InputStream body) throws IOException {
    return local.store(action, output, size, Buffers.source(body));
  }

  @Override
  public Path put(Key actionId, Key outputId, long size, BodySource body) throws IOException {
    Path p = local.put(actionId, outputId, size, body);
    wake();
    uploader.submit(actionId, outputId, size, p);
    if (prefetch != null) {
      prefetch.put(actionId);
    }
    return p;
  }

  @Override
  public void close() {
    if (prefetch != null) {
      prefetch.close(uploader);
    }
    if (owner) {
      uploader.close();
      remote.close();
      local.close();
    }
  }
}
