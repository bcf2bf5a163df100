package dev.progcache.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Busy from the kernel's counters: less than half a core idle since the last reading. */
@Timeout(10)
class CpuLoadTest {
  @TempDir Path dir;

  private static String stat(long user, long idle) {
    // user nice system idle iowait irq softirq steal guest guest_nice
    return "cpu  " + user + " 0 0 " + idle + " 0 0 0 0 0 0\ncpu0 1 2 3\ncpu1 1 2 3\nintr 5\n";
  }

  @Test
  void busy_whenLessThanHalfACoreWasIdle_readAtMostEvery100ms() throws Exception {
    Path f = dir.resolve("stat");
    AtomicLong now = new AtomicLong(1_000_000_000L);
    Files.writeString(f, stat(1000, 1000));
    assertThat(CpuLoad.cores(Files.readString(f))).isEqualTo(2);
    CpuLoad load = new CpuLoad(f, now::get);
    assertThat(load.busy()).as("one reading says nothing").isFalse();

    // 100 ticks over two cores, 20 idle: 20 % < a quarter (half a core of two)
    Files.writeString(f, stat(1080, 1020));
    assertThat(load.busy()).as("not read again within 100 ms").isFalse();
    now.addAndGet(CpuLoad.PERIOD_NANOS);
    assertThat(load.busy()).isTrue();

    // 100 ticks, 30 idle: 30 % is more than half a core free
    Files.writeString(f, stat(1150, 1050));
    now.addAndGet(CpuLoad.PERIOD_NANOS / 2);
    assertThat(load.busy()).as("the last answer until the period is over").isTrue();
    now.addAndGet(CpuLoad.PERIOD_NANOS / 2);
    assertThat(load.busy()).isFalse();
  }

  @Test
  void unreadableOrStrangeCounters_neverBusy() throws Exception {
    Path f = dir.resolve("stat");
    AtomicLong now = new AtomicLong();
    Files.writeString(f, stat(1000, 1000));
    CpuLoad load = new CpuLoad(f, now::get);
    load.busy();
    Files.writeString(f, stat(1099, 1001));
    now.addAndGet(CpuLoad.PERIOD_NANOS);
    assertThat(load.busy()).isTrue();
    Files.writeString(f, "cpu  x y z\n");
    now.addAndGet(CpuLoad.PERIOD_NANOS);
    assertThat(load.busy()).isFalse();
    // no cpuN line: the cores are unknown, and readings that would say busy say nothing
    Files.writeString(f, "cpu  1000 0 0 1000 0 0 0 0 0 0\n");
    CpuLoad unknown = new CpuLoad(f, now::get);
    unknown.busy();
    Files.writeString(f, "cpu  1099 0 0 1001 0 0 0 0 0 0\n");
    now.addAndGet(CpuLoad.PERIOD_NANOS);
    assertThat(unknown.busy()).isFalse();
    Files.delete(f);
    now.addAndGet(CpuLoad.PERIOD_NANOS);
    assertThat(load.busy()).isFalse();
  }
}
