package dev.progcache.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LogStampTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);

  @Test
  void everyLine_startsWithTheUtcTime_toTheMillisecond_alsoAcrossPartialWrites() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream raw = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    PrintStream log = LogStamp.stamped(raw, CLOCK);
    log.println("progcache serve: listening");
    log.print("two\nlines in one write, ");
    log.print("finished later");
    log.println();
    log.print("ünïcode\n");
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "2026-01-02T03:04:05.000Z progcache serve: listening\n"
                + "2026-01-02T03:04:05.000Z two\n"
                + "2026-01-02T03:04:05.000Z lines in one write, finished later\n"
                + "2026-01-02T03:04:05.000Z ünïcode\n");
  }

  @Test
  void line_andTime_keepMilliseconds() {
    assertThat(LogStamp.line(CLOCK, "daemon: started"))
        .isEqualTo("2026-01-02T03:04:05.000Z daemon: started");
    assertThat(LogStamp.time(Instant.parse("2026-01-02T03:04:05.123456Z")))
        .isEqualTo("2026-01-02T03:04:05.123Z");
  }
}
