package dev.progcache.conform;

import dev.progcache.client.ProgClient;
import dev.progcache.client.QuotedArgs;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.time.Duration;
import java.util.List;

/**
 * The helper under test: how to start it through {@link ProgClient} (with bounded waits, so a
 * broken helper fails a case instead of hanging it) or over raw pipes.
 */
final class Target {
  /** go logs "still waiting" after this long without a handshake. */
  static final Duration HANDSHAKE_LIMIT = Duration.ofSeconds(5);

  static final Duration ANSWER_LIMIT = Duration.ofSeconds(30);
  static final Duration EXIT_LIMIT = Duration.ofSeconds(5);

  private final List<String> argv;
  private final String progAndArgs;

  Target(List<String> argv) {
    this.argv = List.copyOf(argv);
    this.progAndArgs = QuotedArgs.join(argv);
  }

  List<String> argv() {
    return argv;
  }

  /** Starts a client with go's rules and this tool's time limits; stderr is shared with ours. */
  ProgClient client() throws IOException {
    return ProgClient.builder(progAndArgs)
        .stderr(Redirect.INHERIT)
        .handshakeTimeout(HANDSHAKE_LIMIT)
        .requestTimeout(ANSWER_LIMIT)
        .exitGrace(EXIT_LIMIT)
        .log(line -> {})
        .start();
  }

  /** Starts the helper on raw pipes. */
  RawHelper raw() throws IOException {
    return RawHelper.start(argv);
  }
}
