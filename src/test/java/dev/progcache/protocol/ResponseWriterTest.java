package dev.progcache.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Key;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

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

  @Test
  void answers_areGoShapedJson_withStringsEscapedAsGoEscapesThem() throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    ResponseWriter w = new ResponseWriter(sink);
    Key out =
        Key.of(
            new byte[] {
              -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
              23, 24, 25, 26, 27, 28, 29, 30
            });
    w.hit(7, out, 1234, 1_700_000_000_123_456_789L, "/c/o/ff/x y");
    w.hit(Long.MAX_VALUE, out, 0, 0, "/p");
    w.stored(0, "/d\\\"q");
    w.miss(3);
    w.ok(4);
    w.err(5, "");
    assertThat(sink.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"ID\":7,\"OutputID\":\""
                + out.base64()
                + "\",\"Size\":1234,\"Time\":\"2023-11-14T22:13:20.123456789Z\","
                + "\"DiskPath\":\"/c/o/ff/x y\"}\n"
                + "{\"ID\":9223372036854775807,\"OutputID\":\""
                + out.base64()
                + "\",\"Time\":\"1970-01-01T00:00:00.000000000Z\",\"DiskPath\":\"/p\"}\n"
                + "{\"ID\":0,\"DiskPath\":\"/d\\\\\\\"q\"}\n"
                + "{\"ID\":3,\"Miss\":true}\n{\"ID\":4}\n{\"ID\":5,\"Err\":\"error\"}\n");

    ObjectMapper json = new ObjectMapper();
    Random rnd = new Random(7);
    String alphabet =
        "ab/ -_.<>&\"\\\n\r\t\u0000\u0001\u001f\u007f\u00e9\u2028\u2029\u20ac\ud83d\ude00";
    for (int i = 0; i < 5_000; i++) {
      StringBuilder s = new StringBuilder();
      int len = rnd.nextInt(12);
      for (int k = 0; k < len; k++) {
        int at = rnd.nextInt(alphabet.length() - 1);
        if (alphabet.charAt(at) == '\ud83d') {
          s.append("\ud83d\ude00");
        } else if (alphabet.charAt(at) != '\ude00') {
          s.append(alphabet.charAt(at));
        }
      }
      sink.reset();
      w.err(i, s.toString());
      String line = sink.toString(StandardCharsets.UTF_8);
      assertThat(line).endsWith("}\n");
      String body = line.substring(0, line.length() - 1);
      assertThat(body)
          .as("Go escapes these: %s", body)
          .doesNotContain("<", ">", "&", "\u2028", "\u2029", "\n", "\r", "\t", "\u0000");
      JsonNode parsed = json.readTree(body);
      assertThat(parsed.get("ID").asLong()).isEqualTo(i);
      assertThat(parsed.get("Err").asString()).isEqualTo(s.isEmpty() ? "error" : s.toString());
    }
  }

  private static String reference(long nanos) {
    return REFERENCE.format(
        Instant.ofEpochSecond(
            Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)));
  }
}
