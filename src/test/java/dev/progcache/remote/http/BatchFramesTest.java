package dev.progcache.remote.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Key;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BatchFramesTest {
  private static final byte[] SPACES = {' ', '\t', '\r', 0x0b, 0x0c, 0x1c, 0x1f};

  @Test
  void parseIds_keepsWhatAStringPerLineParserKept_forDamagedLists() throws Exception {
    Random rnd = new Random(17);
    for (int round = 0; round < 3_000; round++) {
      byte[] text = randomList(rnd);
      int max = rnd.nextInt(1, 40);
      assertThat(BatchFrames.parseIds(new ByteArrayInputStream(text), max))
          .as("round %d", round)
          .isEqualTo(reference(text, max));
    }
  }

  @Test
  void parseIds_ofWhatIdsWrote_isTheIds() throws Exception {
    Random rnd = new Random(2);
    List<Key> ids = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      byte[] b = new byte[Key.LENGTH];
      rnd.nextBytes(b);
      ids.add(Key.of(b));
    }
    assertThat(BatchFrames.parseIds(new ByteArrayInputStream(BatchFrames.ids(ids)), 500))
        .contains(ids);
    assertThat(BatchFrames.parseIds(new ByteArrayInputStream(BatchFrames.ids(ids)), 499)).isEmpty();
  }

  /** The parser as it was written first: a string per line, stripped, parsed with HexFormat. */
  private static Optional<List<Key>> reference(byte[] all, int max) {
    if (all.length > (long) max * (BatchFrames.LINE + 1)) {
      return Optional.empty();
    }
    Set<Key> out = new LinkedHashSet<>();
    for (String line : new String(all, StandardCharsets.US_ASCII).split("\n", -1)) {
      String s = line.strip();
      if (s.length() != Key.LENGTH * 2) {
        continue;
      }
      try {
        out.add(Key.of(HexFormat.of().parseHex(s)));
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (out.size() > max) {
        return Optional.empty();
      }
    }
    return Optional.of(new ArrayList<>(out));
  }

  private static byte[] randomList(Random rnd) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    List<String> seen = new ArrayList<>();
    int lines = rnd.nextInt(0, 30);
    for (int i = 0; i < lines; i++) {
      String id;
      if (!seen.isEmpty() && rnd.nextInt(5) == 0) {
        id = seen.get(rnd.nextInt(seen.size())); // a duplicate
      } else {
        byte[] k = new byte[Key.LENGTH];
        rnd.nextBytes(k);
        id = HexFormat.of().formatHex(k);
        if (rnd.nextInt(4) == 0) {
          id = id.toUpperCase(java.util.Locale.ROOT);
        }
        seen.add(id);
      }
      byte[] line = id.getBytes(StandardCharsets.US_ASCII);
      switch (rnd.nextInt(8)) {
        case 0 -> line[rnd.nextInt(line.length)] = (byte) "gz -:\u00e9".charAt(rnd.nextInt(6)); // not hex
        case 1 -> line[rnd.nextInt(line.length)] = (byte) (0x80 + rnd.nextInt(0x80)); // not ASCII
        case 2 -> line = java.util.Arrays.copyOf(line, rnd.nextInt(line.length + 3)); // short or long
        default -> {}
      }
      for (int p = rnd.nextInt(3); p > 0; p--) {
        b.write(SPACES[rnd.nextInt(SPACES.length)]);
      }
      b.writeBytes(line);
      for (int p = rnd.nextInt(3); p > 0; p--) {
        b.write(SPACES[rnd.nextInt(SPACES.length)]);
      }
      if (i < lines - 1 || rnd.nextBoolean()) {
        b.write('\n');
      }
    }
    return b.toByteArray();
  }
}
