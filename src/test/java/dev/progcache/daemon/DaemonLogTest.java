package dev.progcache.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class DaemonLogTest {
  @TempDir Path tmp;

  @Test
  void lines_areStampedLikeTheServers_andTheLogRotatesPastItsLimit() throws Exception {
    Clock clock = Clock.fixed(Instant.parse("2026-12-07T01:02:03Z"), ZoneOffset.UTC);
    Path file = tmp.resolve("daemon-x.log");
    try (PrintStream log = DaemonLog.open(file, 100, clock)) {
      log.println("first line of the log, long enough to fill most of the limit.......");
      log.println("second");
    }
    assertThat(Files.readString(DaemonLog.rotated(file)))
        .isEqualTo(
            "2026-12-07T01:02:03.000Z first line of the log, long enough to fill most of the limit.......\n");
    assertThat(Files.readString(file)).isEqualTo("2026-12-07T01:02:03.000Z second\n");
  }
}
