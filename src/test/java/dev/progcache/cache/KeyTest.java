package dev.progcache.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KeyTest {
  private final Random rnd = new Random(3);

  @Test
  void hex_andOfHex_agreeWithHexFormat_bothWays() {
    for (int i = 0; i < 2_000; i++) {
      byte[] b = new byte[Key.LENGTH];
      rnd.nextBytes(b);
      String want = HexFormat.of().formatHex(b);
      Key k = Key.of(b);
      assertThat(k.hex()).isEqualTo(want);
      assertThat(Key.ofHex(want)).isEqualTo(k);
      assertThat(Key.ofHex(want.toUpperCase(java.util.Locale.ROOT))).isEqualTo(k);
      assertThat(k.shard()).isEqualTo(b[0] & 0xff);
      byte[] text = ("  " + want + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      assertThat(Key.ofHexOrNull(text, 2)).isEqualTo(k);
      text[2 + rnd.nextInt(64)] = (byte) 'x';
      assertThat(Key.ofHexOrNull(text, 2)).isNull();
    }
  }

  @Test
  void ofHex_refusesAnythingButExactly64HexDigits() {
    String good = "0123456789abcdefABCDEF0123456789abcdef0123456789abcdef0123456789";
    assertThat(Key.ofHex(good).hex()).isEqualTo(good.toLowerCase(java.util.Locale.ROOT));
    assertThatThrownBy(() -> Key.ofHex(good.substring(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Key.ofHex(good + "0")).isInstanceOf(IllegalArgumentException.class);
    for (char bad :
        new char[] {'g', 'G', ' ', '-', '/', ':', '@', '`', '\u0660', '\uff10', '\u00e9', 0}) {
      for (int at : new int[] {0, 1, 31, 63}) {
        StringBuilder s = new StringBuilder(good);
        s.setCharAt(at, bad);
        assertThatThrownBy(() -> Key.ofHex(s))
            .as("%s at %d", (int) bad, at)
            .isInstanceOf(IllegalArgumentException.class);
      }
    }
  }
}
