package dev.progcache.client;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Settings for {@link ProgClient#start}; the defaults are go's behaviour: stderr inherited, "still
 * waiting" logged every 5 s on stderr, no limit on waiting for the handshake or an answer.
 *
 * <p>Not thread-safe; build on one thread.
 */
public final class ProgClientBuilder {
  final String progAndArgs;
  Redirect stderr = Redirect.INHERIT;
  Duration waitLogInterval = Duration.ofSeconds(5);
  Optional<Duration> handshakeTimeout = Optional.empty();
  Optional<Duration> requestTimeout = Optional.empty();
  Duration exitGrace = Duration.ofSeconds(5);
  Consumer<String> log = System.err::println;
  Clock clock = Clock.systemUTC();
  final Map<String, String> environment = new HashMap<>();

  ProgClientBuilder(String progAndArgs) {
    this.progAndArgs = progAndArgs;
  }

  /** Where the helper's stderr goes (default: inherited). */
  public ProgClientBuilder stderr(Redirect r) {
    this.stderr = r;
    return this;
  }

  /** How often "still waiting for GOCACHEPROG ..." is logged before the handshake (default 5 s). */
  public ProgClientBuilder waitLogInterval(Duration d) {
    this.waitLogInterval = positive(d, "waitLogInterval");
    return this;
  }

  /** Give up when no handshake came within {@code d} (default: wait forever, as go does). */
  public ProgClientBuilder handshakeTimeout(Duration d) {
    this.handshakeTimeout = Optional.of(positive(d, "handshakeTimeout"));
    return this;
  }

  /** Fail a request not answered within {@code d} (default: wait forever, as go does). */
  public ProgClientBuilder requestTimeout(Duration d) {
    this.requestTimeout = Optional.of(positive(d, "requestTimeout"));
    return this;
  }

  /** How long {@link ProgClient#close} lets the helper exit by itself before killing it. */
  public ProgClientBuilder exitGrace(Duration d) {
    this.exitGrace = positive(d, "exitGrace");
    return this;
  }

  /** Where progress messages ("still waiting ...") go (default: a line on stderr). */
  public ProgClientBuilder log(Consumer<String> sink) {
    this.log = sink;
    return this;
  }

  /** The clock for entries answered without a Time (default: the system clock). */
  public ProgClientBuilder clock(Clock c) {
    this.clock = c;
    return this;
  }

  /** Adds a variable to the helper's environment (which otherwise is ours). */
  public ProgClientBuilder env(String name, String value) {
    environment.put(name, value);
    return this;
  }

  /**
   * Starts the helper and waits for its handshake.
   *
   * @throws HelperFailedException when the command is empty or badly quoted, cannot be started,
   *     exits or breaks the protocol before the handshake, declares no commands, or the handshake
   *     timeout passes
   * @throws java.io.InterruptedIOException when interrupted while waiting
   */
  public ProgClient start() throws IOException {
    return ProgClient.start(this);
  }

  private static Duration positive(Duration d, String what) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, got " + d);
    }
    return d;
  }
}
