package dev.progcache.disk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Entry;
import dev.progcache.cache.Key;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RecordTest {
  private static Key key(Random r) {
    byte[] b = new byte[Key.LENGTH];
    r.nextBytes(b);
    return Key.of(b);
  }

  @Test
  void encode_isTheDocumentedLine_andDecodesBack() {
    Random r = new Random(3);
    long[] values = {0, 1, 9, 10, 123_456_789, Long.MAX_VALUE};
    for (long size : values) {
      for (long time : values) {
        Key action = key(r);
        Entry e = new Entry(key(r), size, time);
        byte[] b = Record.encode(action, e);
        String line =
            String.format("v1 %s %s %020d %020d\n", action.hex(), e.outputId().hex(), size, time);
        assertThat(new String(b, StandardCharsets.US_ASCII)).isEqualTo(line);
        assertThat(b).hasSize(Record.LENGTH);
        assertThat(Record.decode(action, b)).contains(e);
        assertThat(Record.decode(key(r), b)).as("another action's record").isEmpty();
      }
    }
  }

  @Test
  void encode_refusesATimeBefore1970_ratherThanWriteAnUnreadableRecord() {
    Random r = new Random(9);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Record.encode(key(r), new Entry(key(r), 1, -1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
  }

  @Test
  void decode_refusesDamage() {
    Random r = new Random(5);
    Key action = key(r);
    byte[] good = Record.encode(action, new Entry(key(r), 42, 7));
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] = (byte) (i == 0 ? 'x' : good[i] == ' ' ? 'y' : ' ');
      assertThat(Record.decode(action, bad)).as("byte %d changed", i).isEmpty();
    }
    assertThat(Record.decode(action, java.util.Arrays.copyOf(good, good.length - 1))).isEmpty();
  }
}
