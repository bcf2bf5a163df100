package dev.progcache.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * A {@link PrintStream} (UTF-8, auto-flushing) that keeps what was printed, for stderr in tests.
 */
public final class TextLog extends PrintStream {
  private final ByteArrayOutputStream bytes;

  public TextLog() {
    this(new ByteArrayOutputStream());
  }

  private TextLog(ByteArrayOutputStream b) {
    super(b, true, StandardCharsets.UTF_8);
    this.bytes = b;
  }

  /** What was printed so far. */
  public String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
