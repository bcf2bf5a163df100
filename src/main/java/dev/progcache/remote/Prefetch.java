package dev.progcache.remote;

import dev.progcache.cache.Buffers;
import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.disk.DiskStore;
import dev.progcache.wire.Manifest;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Fills the local disk, in the background, with the entries earlier builds of the same build
 * context used, and records what this build uses for the next one.
 *
 * <p>{@link #start} fetches the context's manifest from the shared tier and the entries it lists
 * that are not on disk yet, in batches, at most {@code parallel} batches at once (when the
 * directory was empty at start, without looking: all but those go asked for or stored first). Of a
 * settled manifest only the ids go asked for are fetched ({@link Manifest#toPrefetch}). Each entry
 * is stored exactly as a read-through hit would be (verified: sha256 and size). A get for an entry
 * whose batch is in flight waits for it ({@link #inFlight}) instead of asking again; a get for one
 * not yet sent takes it over. At {@link #close} the fetching stops, bytes fetched but never used
 * are counted as wasted, and the action IDs this build hit or stored are queued on the uploader for
 * the manifest, those go asked for first (unless the manifest already says all this report would).
 *
 * <p>Thread-safe. Never throws and never fails a build: remote trouble only means less is
 * prefetched. The remote is expected to be a {@link BestEffort}.
 */
public final class Prefetch {
  /**
   * @param batch ids per batch request (at most 256)
   * @param parallel batch requests in flight at once
   */
  public record Limits(int batch, int parallel) {
    public static final Limits DEFAULT = new Limits(64, 8);
  }

  private static final int PENDING = 0;
  private static final int IN_FLIGHT = 1;
  private static final int TAKEN = 2;

  /** Flags of {@link #used}: go asked for the id; it was a hit. */
  private static final int ASKED = 1;

  private static final int HIT = 2;
  private static final int MAX_RECORDED = 20_000;
  private static final java.time.Duration MANIFEST_WAIT = java.time.Duration.ofSeconds(2);

  private static final class Slot {
    final AtomicInteger state = new AtomicInteger(PENDING);
    final CompletableFuture<Optional<Hit>> done = new CompletableFuture<>();
  }

  private final DiskStore local;
  private final RemoteTier remote;
  private final Supplier<Key> context;
  private final Limits limits;
  private final RemoteLog log;
  private final ConcurrentHashMap<Key, Slot> slots = new ConcurrentHashMap<>();

  /** Entries this session prefetched and go has not asked for yet. */
  private final ConcurrentHashMap<Key, Hit> unused = new ConcurrentHashMap<>();

  /** Bytes of prefetched entries go stored anew before asking for them (wasted too). */
  private final AtomicLong overwritten = new AtomicLong();

  /** Ids this build hit or stored, in order, with {@link #ASKED} and {@link #HIT} flags. */
  private final Map<Key, Integer> used = new LinkedHashMap<>();

  /** Ids go asked for and did not find on disk (capped like {@link #used}). */
  private final Set<Key> missed = ConcurrentHashMap.newKeySet();

  private final ReentrantLock usedLock = new ReentrantLock();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Manifest> listed = new CompletableFuture<>();
  private volatile boolean closed;
  private volatile boolean started;
  private volatile boolean localWasEmpty;

  /** Fetching for {@link #fetchAhead}: the directory is looked up, nothing held back. */
  private volatile boolean ahead;

  /** For {@link #fetchAhead}: ids the manifest lists to prefetch, and of those on disk. */
  private volatile int planned;

  private volatile int plannedOnDisk;

  /**
   * Ids go asked for or stored before the manifest came (their gets fetched them, or go built
   * them); left out of the prefetch when the directory was empty at start. An id seen just as the
   * manifest comes may still be fetched twice: harmless, both copies are verified.
   */
  private final Set<Key> seenEarly = ConcurrentHashMap.newKeySet();

  private volatile @Nullable Key contextKey;

  /** Listed ids a warm directory lacks, held back until go's misses are among them. */
  private final Hold hold = new Hold();

  /**
   * @param context the build context's key; called once, on a background thread
   */
  public Prefetch(
      DiskStore local, RemoteTier remote, Supplier<Key> context, Limits limits, RemoteLog log) {
    this.local = local;
    this.remote = remote;
    this.context = context;
    this.limits = limits;
    this.log = log;
  }

  /**
   * Starts prefetching on a virtual thread and returns at once. Call it once. {@code localIsEmpty}
   * says the local directory held nothing when the shared tier woke, so the listed ids are not
   * looked up on disk one by one: all are fetched but those go asked for or stored before the
   * manifest came. (On a fresh runner that lookup took 20-40 ms of the interpreter's time between
   * the manifest and the first batch.)
   *
   * <p>Otherwise the listed ids are looked up on disk. When some are there and some are not (a warm
   * directory: a developer's machine, a runner with a restored cache), the missing ones are held
   * back: a manifest is the union of a month of builds of the context, and what a warm directory
   * lacks is mostly what other builds used (older commits, other commands). They are fetched only
   * once {@link Hold#MATCHES_TO_RELEASE} of go's local misses, and at least half of them, are among
   * them (the manifest predicts this build, e.g. after a pull of many commits); until then each
   * miss is one get. A directory holding none of the listed ids is prefetched as a fresh one (ADR
   * 0024).
   */
  public void start(boolean localIsEmpty) {
    this.localWasEmpty = localIsEmpty;
    started = true;
    Thread.ofVirtual().name("progcache-prefetch").start(this::run);
  }

  /** What {@link #fetchAhead} found: ids the manifest lists to prefetch, and those on disk. */
  public record Ahead(int listed, int onDisk, boolean finished) {}

  /**
   * For {@code progcache prefetch}, ahead of go: fetches every id the context's manifest lists to
   * prefetch that the local directory lacks, none held back, and returns once all were fetched or
   * failed, or {@code limit} passed (then the rest is left for go's own gets). Call it instead of
   * {@link #start}, then {@link #close}, which reports nothing: no build ran.
   */
  public Ahead fetchAhead(java.time.Duration limit) throws InterruptedException {
    ahead = true;
    Thread t = Thread.ofVirtual().name("progcache-prefetch").start(this::run);
    boolean finished = t.join(limit);
    if (!finished) {
      closed = true;
      t.interrupt();
      threads.forEach(Thread::interrupt);
      t.join(java.time.Duration.ofSeconds(5));
    }
    return new Ahead(planned, plannedOnDisk, finished);
  }

  private void run() {
    try {
      Manifest m = remote.manifest(contextKey()).orElse(Manifest.NONE);
      listed.complete(m);
      log.count(RemoteLog.PREFETCH_LISTED, m.ids().size());
      List<Key> ids = m.toPrefetch();
      planned = ids.size();
      List<Key> todo = new ArrayList<>();
      boolean lookUp = ahead || !localWasEmpty;
      int onDisk = 0;
      for (Key k : ids) {
        if (closed) {
          return;
        }
        if (lookUp ? !local.hasRecord(k) : !seenEarly.contains(k)) {
          slots.putIfAbsent(k, new Slot());
          todo.add(k);
        } else {
          onDisk++;
        }
      }
      plannedOnDisk = onDisk;
      if (!ahead && lookUp && onDisk > 0 && !todo.isEmpty()) {
        // a warm directory: what it lacks may be what other builds of the context used, not this
        // one; held until go's misses show the manifest predicts this build (their slots go)
        log.count(RemoteLog.PREFETCH_HELD, todo.size());
        hold.hold(todo);
        return;
      }
      fetchAll(todo);
    } catch (InterruptedException e) {
      // closed
    } catch (java.io.IOException | RuntimeException e) {
      log.count(RemoteLog.PREFETCH_ERRORS, 1); // a BestEffort remote does not throw
    } finally {
      listed.complete(Manifest.NONE);
      releaseAll();
    }
  }

  /** Fetches {@code todo} (their slots made), in batches, at most {@code parallel} at once. */
  private void fetchAll(List<Key> todo) throws InterruptedException {
    Semaphore running = new Semaphore(limits.parallel());
    for (int i = 0; i < todo.size() && !closed; i += limits.batch()) {
      running.acquire(); // claim only once a request can go: claimed ids make gets wait
      List<Key> chunk = claim(todo.subList(i, Math.min(todo.size(), i + limits.batch())));
      if (chunk.isEmpty()) {
        running.release();
        continue;
      }
      threads.add(
          Thread.ofVirtual()
              .name("progcache-prefetch-batch")
              .start(
                  () -> {
                    try {
                      fetch(chunk);
                    } finally {
                      running.release();
                    }
                  }));
    }
    running.acquire(limits.parallel());
    flushPacked();
  }

  /**
   * Writes the records of the entries fetched so far as a pack (see {@link DiskStore#storePacked}).
   */
  private void flushPacked() {
    try {
      local.flushPacked();
    } catch (java.io.IOException e) {
      log.count(RemoteLog.PREFETCH_ERRORS, 1);
    }
  }

  /**
   * Counts a local miss of {@code action}; if it releases the held ids, fetches those not asked
   * for.
   */
  private void matchHeld(Key action) {
    Optional<List<Key>> released = hold.miss(action);
    if (released.isEmpty()) {
      return;
    }
    List<Key> todo = new ArrayList<>();
    for (Key k : released.get()) {
      if (!missed.contains(k) && slots.putIfAbsent(k, new Slot()) == null) {
        todo.add(k);
      }
    }
    log.count(RemoteLog.PREFETCH_RELEASED, todo.size());
    threads.add(
        Thread.ofVirtual()
            .name("progcache-prefetch")
            .start(
                () -> {
                  try {
                    fetchAll(todo);
                  } catch (InterruptedException e) {
                    // closed
                  } finally {
                    releaseAll();
                  }
                }));
  }

  /** The ids of {@code ids} still pending, now marked in flight. */
  private List<Key> claim(List<Key> ids) {
    List<Key> out = new ArrayList<>(ids.size());
    for (Key k : ids) {
      Slot s = slots.get(k);
      if (s != null && s.state.compareAndSet(PENDING, IN_FLIGHT)) {
        out.add(k);
      }
    }
    return out;
  }

  private void fetch(List<Key> chunk) {
    try {
      remote.getMany(chunk, this::store);
    } catch (java.io.IOException | RuntimeException e) {
      log.count(RemoteLog.PREFETCH_ERRORS, 1); // a BestEffort remote does not throw
    } finally {
      if (closed) {
        flushPacked(); // stopped early: fetchAll may not flush
      }
      for (Key k : chunk) {
        Slot s = slots.remove(k);
        if (s != null) {
          s.done.complete(Optional.empty());
        }
      }
    }
  }

  private Hit store(Key action, Key output, long size, InputStream body)
      throws java.io.IOException {
    Hit h = local.storePacked(action, output, size, Buffers.source(body));
    unused.put(action, h);
    log.count(RemoteLog.PREFETCHED, 1);
    log.count(RemoteLog.PREFETCH_BYTES, size);
    Slot s = slots.remove(action);
    if (s != null) {
      s.done.complete(Optional.of(h));
    }
    return h;
  }

  /**
   * For a get that missed on disk: the prefetch of {@code action} in flight, to wait for; empty
   * when there is none (a pending one is taken over by the caller, which asks the remote itself).
   */
  public Optional<CompletableFuture<Optional<Hit>>> inFlight(Key action) {
    if (missed.size() < MAX_RECORDED) {
      missed.add(action);
    }
    matchHeld(action);
    Slot s = slots.get(action);
    if (s == null) {
      if (!listed.isDone()) {
        seenEarly.add(action);
      }
      return Optional.empty();
    }
    if (s.state.compareAndSet(PENDING, TAKEN)) {
      slots.remove(action, s);
      return Optional.empty();
    }
    if (s.state.get() != IN_FLIGHT) {
      return Optional.empty();
    }
    log.count(RemoteLog.PREFETCH_WAITED, 1);
    return Optional.of(s.done);
  }

  /**
   * The entry of {@code action} this session prefetched, if go has not asked for it yet: the hit
   * the local disk would give, without reading its record back (the first get of each prefetched
   * entry).
   */
  public Optional<Hit> landed(Key action) {
    return Optional.ofNullable(unused.get(action));
  }

  /** Notes that the build got {@code action} (a hit, from wherever it came). */
  public void hit(Key action) {
    record(action, ASKED | HIT);
    if (unused.remove(action) != null) {
      log.count(RemoteLog.PREFETCH_USED, 1);
    }
  }

  /** Notes that the build stored {@code action} (over a prefetched entry: that one went unused). */
  public void put(Key action) {
    if (!listed.isDone()) {
      seenEarly.add(action);
    }
    Hit replaced = unused.remove(action);
    if (replaced != null) {
      overwritten.addAndGet(replaced.entry().size());
    }
    record(action, missed.contains(action) ? ASKED : 0);
  }

  private void record(Key action, int flags) {
    usedLock.lock();
    try {
      if (used.size() < MAX_RECORDED || used.containsKey(action)) {
        used.merge(action, flags, (a, b) -> a | b);
      }
    } finally {
      usedLock.unlock();
    }
  }

  /**
   * Stops prefetching (a manifest fetch under way is left to finish), counts wasted bytes and
   * queues the manifest update on {@code uploader} (before the uploader is closed), which is
   * skipped when the manifest already listed every id, or when the prefetch never started (the
   * build found everything on disk and never woke the shared tier). Never throws.
   */
  public void close(Uploader uploader) {
    closed = true;
    threads.forEach(Thread::interrupt);
    releaseAll();
    flushPacked();
    long wasted =
        overwritten.get() + unused.values().stream().mapToLong(h -> h.entry().size()).sum();
    log.count(RemoteLog.PREFETCH_WASTED_BYTES, wasted);
    Map<Key, Integer> ids;
    usedLock.lock();
    try {
      ids = new LinkedHashMap<>(used);
    } finally {
      usedLock.unlock();
    }
    if (ids.isEmpty() || !started) {
      return;
    }
    uploader.submit(
        "upload of the prefetch manifest",
        (long) ids.size() * 65,
        () -> {
          Manifest known = known();
          Manifest report = report(ids, known);
          if (!known.covers(report)) { // else the stored manifest already says all of it
            remote.addToManifest(contextKey(), report);
          }
        });
  }

  /**
   * This build's report of {@code ids} (flags as in {@link #used}): those go asked for first. It
   * settles the manifest when the build found at least half of what it asked for (a cold build,
   * which builds everything, asks for less than a cached one will) and asked for at least half of
   * what {@code known} lists as asked for (a small build, say one command after a cold {@code go
   * build std}, has not shown what a cached build of the rest asks for).
   */
  static Manifest report(Map<Key, Integer> ids, Manifest known) {
    List<Key> asked = new ArrayList<>();
    List<Key> stored = new ArrayList<>();
    int hits = 0;
    for (Map.Entry<Key, Integer> e : ids.entrySet()) {
      (e.getValue() != 0 ? asked : stored).add(e.getKey());
      hits += e.getValue() >> 1;
    }
    int n = asked.size();
    Set<Key> mine = new HashSet<>(asked);
    long shared = known.ids().subList(0, known.asked()).stream().filter(mine::contains).count();
    boolean settles = hits > 0 && hits * 2 >= n && shared * 2 >= known.asked();
    asked.addAll(stored);
    return new Manifest(asked, n, settles);
  }

  /**
   * The manifest fetched at start, once its fetch ended; none if it failed or is still under way
   * after {@link #MANIFEST_WAIT} (then the whole report is sent: a union costs nothing).
   */
  private Manifest known() throws java.io.InterruptedIOException {
    try {
      return listed.get(MANIFEST_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting for the manifest");
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return Manifest.NONE;
    }
  }

  private Key contextKey() {
    Key k = contextKey;
    if (k == null) {
      k = context.get();
      contextKey = k;
    }
    return k;
  }

  private void releaseAll() {
    for (Key k : List.copyOf(slots.keySet())) {
      Slot s = slots.remove(k);
      if (s != null) {
        s.done.complete(Optional.empty());
      }
    }
  }
}
