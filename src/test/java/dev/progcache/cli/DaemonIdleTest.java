package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The daemon's idle time in the one duration grammar; plain seconds still work. */
@Timeout(10)
class DaemonIdleTest {
  @Test
  void idle_durationsAndPlainSeconds() throws Exception {
    assertThat(DaemonCommand.idle("--idle-exit", "90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(DaemonCommand.idle("--idle-exit", "1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(DaemonCommand.idle("--idle-exit", "1500ms")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DaemonCommand.idle("PROGCACHE_DAEMON_IDLE", "900"))
        .isEqualTo(Duration.ofSeconds(900));
  }

  @Test
  void idle_badOrZero_saysWhichAndWhat() {
    assertThatThrownBy(() -> DaemonCommand.idle("PROGCACHE_DAEMON_IDLE", "banana"))
        .hasMessageStartingWith("PROGCACHE_DAEMON_IDLE: bad value \"banana\"")
        .hasMessageContaining("90s, 15m or 2h");
    assertThatThrownBy(() -> DaemonCommand.idle("--idle-exit", "0"))
        .hasMessageContaining("more than zero");
    assertThatThrownBy(() -> DaemonCommand.idle("--idle-exit", "5x"))
        .hasMessageContaining("unknown unit");
  }
}
