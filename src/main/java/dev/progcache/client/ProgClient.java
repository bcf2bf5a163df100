package dev.progcache.client;

import dev.progcache.cache.Entry;
import dev.progcache.cache.Key;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The go command's side of GOCACHEPROG: starts a helper process and sends it {@code get}, {@code
 * put} and {@code close} requests as go does, with the same rules for what counts as a hit.
 *
 * <p>Thread-safe: any number of threads may call {@link #get} and {@link #put} at once; requests
 * are written one at a time and answers are matched by ID in any order. A miss is an empty {@link
 * Optional}. An {@code Err} answer throws {@link HelperErrorException}. A helper that breaks the
 * protocol (bad JSON, an answer for an unknown or already answered ID, stdout closed before close)
 * ends the session: every waiting and later call throws {@link HelperFailedException}; nothing
 * hangs on a helper that is gone. A helper that stays alive but never answers blocks the caller
 * unless a request timeout was set ({@link HelperTimeoutException}).
 */
public final class ProgClient implements AutoCloseable {
  private final String prog;
  private final Process process;
  private final Session session;
  private final RequestEncoder encoder;
  private final Thread reader;
  private final Set<String> known;
  private final ProgClientBuilder cfg;
  private final long handshakeNanos;
  private final Map<Key, Path> outputFiles = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean killed;

  private ProgClient(Started s, Set<String> known, long handshakeNanos) {
    this.prog = s.prog;
    this.process = s.process;
    this.session = s.session;
    this.encoder = s.encoder;
    this.reader = s.reader;
    this.cfg = s.cfg;
    this.known = known;
    this.handshakeNanos = handshakeNanos;
  }

  /** Settings for a helper run as {@code progAndArgs}, split as go splits GOCACHEPROG. */
  public static ProgClientBuilder builder(String progAndArgs) {
    return new ProgClientBuilder(progAndArgs);
  }

  /** Starts {@code progAndArgs} with go's defaults; see {@link ProgClientBuilder#start}. */
  public static ProgClient start(String progAndArgs) throws IOException {
    return builder(progAndArgs).start();
  }

  private record Started(
      String prog,
      Process process,
      Session session,
      RequestEncoder encoder,
      Thread reader,
      ProgClientBuilder cfg) {}

  static ProgClient start(ProgClientBuilder b) throws IOException {
    List<String> args;
    try {
      args = QuotedArgs.split(b.progAndArgs);
    } catch (IllegalArgumentException e) {
      throw new HelperFailedException("GOCACHEPROG args: " + e.getMessage());
    }
    if (args.isEmpty()) {
      throw new HelperFailedException("GOCACHEPROG is empty: give the helper command to run");
    }
    String prog = args.get(0);
    ProcessBuilder pb = new ProcessBuilder(args).redirectError(b.stderr);
    pb.environment().putAll(b.environment);
    long t0 = System.nanoTime();
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new HelperFailedException(
          "error starting GOCACHEPROG program \"" + prog + "\": " + e.getMessage(), e);
    }
    Session session = new Session(prog);
    CompletableFuture<Response> hello = session.expectHandshake();
    Thread reader =
        Thread.ofPlatform()
            .daemon()
            .name("GOCACHEPROG reader " + p.pid())
            .start(() -> session.readLoop(new ResponseDecoder(p.getInputStream())));
    RequestEncoder enc = new RequestEncoder(new BufferedOutputStream(p.getOutputStream(), 1 << 16));
    Started s = new Started(prog, p, session, enc, reader, b);
    try {
      Response cap = Handshake.await(hello, prog, b);
      if (cap.knownCommands().isEmpty()) {
        throw new HelperFailedException("GOCACHEPROG " + prog + " declared no supported commands");
      }
      return new ProgClient(s, Set.copyOf(cap.knownCommands()), System.nanoTime() - t0);
    } catch (IOException | RuntimeException e) {
      session.closing();
      enc.close();
      p.destroyForcibly();
      throw e;
    }
  }

  /** The commands the helper declared in its handshake. */
  public Set<String> knownCommands() {
    return known;
  }

  /** Time from starting the process to receiving its handshake. */
  public Duration handshakeTime() {
    return Duration.ofNanos(handshakeNanos);
  }

  /** The helper process (for its pid and exit status). */
  public ProcessHandle process() {
    return process.toHandle();
  }

  /**
   * Looks up {@code actionId}: a hit, or a miss with the reason (see {@link GetResult.Miss}). A
   * helper that does not declare get always misses.
   *
   * @throws HelperErrorException when the helper answered {@code Err}
   * @throws HelperFailedException when the session is over
   * @throws HelperTimeoutException when the request timeout passed
   */
  public GetResult lookup(Key actionId) throws IOException {
    if (!known.contains("get")) {
      return new GetResult.Miss("GOCACHEPROG does not support get");
    }
    Response r = call(new RequestEncoder.Request("get", actionId, null, 0, null));
    if (r.miss()) {
      return new GetResult.Miss(GetResult.Miss.PLAIN);
    }
    if (r.diskPath().isEmpty()) {
      return new GetResult.Miss("GOCACHEPROG didn't populate DiskPath on get hit");
    }
    if (r.outputId().length != Key.LENGTH) {
      return new GetResult.Miss(
          "incomplete ProgResponse OutputID: "
              + r.outputId().length
              + " bytes, want "
              + Key.LENGTH);
    }
    if (r.size() < 0) {
      return new GetResult.Miss("negative Size " + r.size() + " in get hit");
    }
    Path path;
    long nanos;
    try {
      path = Path.of(r.diskPath());
      nanos = unixNanos(r.time().orElseGet(cfg.clock::instant));
    } catch (InvalidPathException | ArithmeticException e) {
      return new GetResult.Miss("unusable get hit: " + e.getMessage());
    }
    Entry e = new Entry(Key.of(r.outputId()), r.size(), nanos);
    outputFiles.put(e.outputId(), path);
    return new GetResult.Hit(e, path);
  }

  /** {@link #lookup} reduced to the entry of a hit; a miss of any kind is empty. */
  public Optional<Entry> get(Key actionId) throws IOException {
    return lookup(actionId).asEntry();
  }

  /**
   * Stores the bytes of {@code body} (read from position 0 to its end, twice: once to hash, once to
   * send) as the output of {@code actionId}. Sends both {@code ObjectID} and {@code OutputID}. A
   * helper that does not declare put stores nothing; the computed id is still returned.
   *
   * @throws ProgClientException when the helper answered without DiskPath
   * @throws HelperErrorException when the helper answered {@code Err}
   * @throws IOException when {@code body} cannot be read or is shorter the second time; the message
   *     names the action and output ids
   */
  public PutResult put(Key actionId, SeekableByteChannel body) throws IOException {
    Digest.Result d = Digest.of(body);
    body.position(0);
    if (!known.contains("put")) {
      return new PutResult(d.id(), d.size(), false);
    }
    Response r;
    try {
      r = call(new RequestEncoder.Request("put", actionId, d.id(), d.size(), body));
    } catch (RequestEncoder.BodyException e) {
      throw new IOException(e.getMessage(), e);
    }
    if (r.diskPath().isEmpty()) {
      throw new ProgClientException(
          "GOCACHEPROG " + prog + " didn't return DiskPath in put response for action " + actionId);
    }
    try {
      outputFiles.put(d.id(), Path.of(r.diskPath()));
    } catch (InvalidPathException e) {
      throw new ProgClientException(
          "GOCACHEPROG " + prog + " returned a bad DiskPath: " + e.getMessage());
    }
    return new PutResult(d.id(), d.size(), true);
  }

  /** {@link #put(Key, SeekableByteChannel)} of bytes in memory. */
  public PutResult put(Key actionId, byte[] body) throws IOException {
    return put(actionId, new BytesChannel(body));
  }

  /** {@link #put(Key, SeekableByteChannel)} of a file's contents. */
  public PutResult put(Key actionId, Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return put(actionId, ch);
    }
  }

  /** The DiskPath last reported for {@code outputId} by a get hit or a put, if any. */
  public Optional<Path> outputFile(Key outputId) {
    return Optional.ofNullable(outputFiles.get(outputId));
  }

  private Response call(RequestEncoder.Request req) throws IOException {
    CompletableFuture<Response> f = new CompletableFuture<>();
    long id = session.register(f, req.command().equals("close"));
    try {
      encoder.write(id, req);
    } catch (RequestEncoder.BodyException e) {
      throw e; // the stream is intact; the answer, when it comes, is dropped
    } catch (IOException e) {
      HelperFailedException x =
          new HelperFailedException(
              "cannot write to GOCACHEPROG " + prog + " (has it exited?): " + e.getMessage(), e);
      session.fail(x);
      throw new HelperFailedException(x.getMessage(), x);
    }
    Response r = await(f, req.command(), id);
    if (!r.err().isEmpty()) {
      throw new HelperErrorException(req.command(), id, r.err());
    }
    return r;
  }

  private Response await(CompletableFuture<Response> f, String command, long id)
      throws IOException {
    try {
      if (cfg.requestTimeout.isPresent()) {
        return f.get(cfg.requestTimeout.get().toNanos(), TimeUnit.NANOSECONDS);
      }
      return f.get();
    } catch (ExecutionException e) {
      throw new HelperFailedException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new HelperTimeoutException(
          "GOCACHEPROG "
              + prog
              + " did not answer "
              + command
              + " (ID "
              + id
              + ") within "
              + cfg.requestTimeout.get().toMillis()
              + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(
          "interrupted waiting for GOCACHEPROG " + prog + " to answer " + command);
    }
  }

  /** True when {@link #close} had to kill the helper because it did not exit by itself. */
  public boolean killed() {
    return killed;
  }

  /** The helper's exit status once it has exited. */
  public OptionalInt exitStatus() {
    return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
  }

  /**
   * Sends close when the helper declared it and the session is intact, waits for the answer, then
   * closes the helper's stdin and waits up to the exit grace for it to exit, then kills it.
   * Idempotent. Requests still waiting fail with {@link HelperFailedException}.
   *
   * @throws HelperErrorException when the helper answered close with {@code Err}
   * @throws HelperFailedException when the session had already failed (so that a failure after the
   *     last answer is not lost), or close could not be sent or was not answered; the process is
   *     ended anyway
   */
  @Override
  public void close() throws IOException {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Optional<HelperFailedException> earlier = session.failure();
    IOException failure =
        earlier
            .map(e -> new HelperFailedException("the session had failed: " + e.getMessage(), e))
            .orElse(null);
    try {
      if (known.contains("close") && earlier.isEmpty()) {
        call(RequestEncoder.Request.of("close"));
      }
    } catch (IOException e) {
      failure = e;
    } finally {
      session.closing();
      encoder.close();
      endProcess();
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void endProcess() {
    try {
      if (!process.waitFor(cfg.exitGrace.toNanos(), TimeUnit.NANOSECONDS)) {
        killed = true;
        process.destroy();
        if (!process.waitFor(1, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
        }
      }
      reader.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    session.fail(new HelperFailedException("the client for GOCACHEPROG " + prog + " is closed"));
  }

  private static long unixNanos(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
  }
}
