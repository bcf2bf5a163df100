package dev.progcache.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResponseWriterTest {
  private static final DateTimeFormatter REFERENCE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'").withZone(ZoneOffset.UTC);

  @Test
  void formatTime_matchesRfc3339WithNineDigits_forRandomAndEdgeTimes() {
    Random rnd = new Random(42);
    long[] edges = {0, 1, 999_999_999, 1_000_000_000, -1, Long.MAX_VALUE, Long.MIN_VALUE};
    for (long t : edges) {
      assertThat(ResponseWriter.formatTime(t)).isEqualTo(reference(t));
    }
    for (int i = 0; i < 100_000; i++) {
      long t = rnd.nextLong(0, 4_102_444_800_000_000_000L); // 1970 .. 2100
      assertThat(ResponseWriter.formatTime(t)).isEqualTo(reference(t));
    }
  }

  @Test
  void lines_fromTheHoldingThread_waitForFlush_othersGoAtOnce() throws Exception {
    AtomicInteger flushes = new AtomicInteger();
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    OutputStream out =
        new OutputStream() {
          @Override
          public void write(int b) {
            sink.write(b);
          }

          @Override
          public void flush() {
            flushes.incrementAndGet();
            sent.writeBytes(sink.toByteArray());
            sink.reset();
          }
        };
    ResponseWriter w = new ResponseWriter(out);
    w.holdFlushesOn(Thread.currentThread());
    w.miss(1);
    w.ok(2);
    assertThat(sent.size()).isZero();
    Thread other = Thread.ofPlatform().start(() -> w.miss(3));
    other.join();
    assertThat(sent.toString(StandardCharsets.UTF_8))
        .isEqualTo("{\"ID\":1,\"Miss\":true}\n{\"ID\":2}\n{\"ID\":3,\"Miss\":true}\n");
    w.ok(4);
    w.flush();
    w.flush();
    assertThat(sent.toString(StandardCharsets.UTF_8)).endsWith("{\"ID\":4}\n");
    assertThat(flushes.get()).isEqualTo(2);
  }

  private static String reference(long nanos) {
    return REFERENCE.format(
        Instant.ofEpochSecond(
            Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)));
  }
}
