package dev.progcache.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class BreakerTest {
  private final ManualClock now = new ManualClock(1_000);
  private final Breaker b = new Breaker(3, Duration.ofSeconds(1), now::get);

  @Test
  void opensAfterThresholdFailures_thenHalfOpenProbeCloses() {
    b.failure();
    b.failure();
    assertThat(b.allow()).isTrue();
    b.failure();
    assertThat(b.allow()).isFalse();
    now.addAndGet(Duration.ofMillis(1100).toNanos());
    assertThat(b.allow()).as("one probe").isTrue();
    assertThat(b.allow()).as("only one probe").isFalse();
    b.success();
    assertThat(b.allow()).isTrue();
    assertThat(b.timesOpened()).isEqualTo(1);
  }

  @Test
  void failedProbe_reopensForLonger() {
    for (int i = 0; i < 3; i++) {
      b.failure();
    }
    now.addAndGet(Duration.ofMillis(1100).toNanos());
    assertThat(b.allow()).isTrue();
    b.failure();
    now.addAndGet(Duration.ofMillis(1500).toNanos());
    assertThat(b.allow()).as("doubled to 2 s").isFalse();
    now.addAndGet(Duration.ofMillis(600).toNanos());
    assertThat(b.allow()).isTrue();
  }

  @Test
  void pause_opensForTheGivenTime() {
    b.pause(Duration.ofSeconds(5));
    assertThat(b.isOpen()).isTrue();
    now.addAndGet(Duration.ofSeconds(4).toNanos());
    assertThat(b.allow()).isFalse();
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThat(b.allow()).isTrue();
  }
}
