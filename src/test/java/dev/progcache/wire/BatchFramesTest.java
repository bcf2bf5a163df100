package dev.progcache.wire;

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

  @Test
  void manifestHeaders_sayWhatGoAskedFor_elseAllOfAnAnswerCounts_andNoneOfAReport() {
    List<Key> ids =
        List.of(
            Key.of(new byte[32]),
            Key.of(
                new byte[] {
                  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
                  24, 25, 26, 27, 28, 29, 30, 31, 32
                }));
    assertThat(BatchFrames.answer(ids, "1", "1")).isEqualTo(new Manifest(ids, 1, true));
    assertThat(BatchFrames.answer(ids, "0", null)).isEqualTo(new Manifest(ids, 0, false));
    assertThat(BatchFrames.answer(ids, "7", "yes"))
        .as("clamped; only 1 settles")
        .isEqualTo(new Manifest(ids, 2, false));
    for (String bad : new String[] {null, "", "-1", "+1", " 1", "1e3", "9999999999", "\u0661"}) {
      assertThat(BatchFrames.answer(ids, bad, "1"))
          .as("asked %s", bad)
          .isEqualTo(Manifest.allAsked(ids));
    }
    for (String bad : new String[] {null, "", "x", "-1"}) {
      assertThat(BatchFrames.report(ids, bad, "1"))
          .as("reported %s", bad)
          .isEqualTo(new Manifest(ids, 0, false));
    }
    assertThat(BatchFrames.report(ids, "1", "1")).isEqualTo(new Manifest(ids, 1, true));
    assertThat(Manifest.allAsked(ids).toPrefetch()).isEqualTo(ids);
    assertThat(new Manifest(ids, 1, true).toPrefetch()).containsExactly(ids.get(0));
    assertThat(new Manifest(ids, 1, false).toPrefetch()).isEqualTo(ids);
  }

  @Test
  void readHeader_agreesWithAStringParser_onDamagedHeaders() throws Exception {
    Random rnd = new Random(23);
    for (int round = 0; round < 20_000; round++) {
      byte[] line = randomHeader(rnd);
      String want;
      try {
        want = String.valueOf(referenceHeader(new ByteArrayInputStream(line)));
      } catch (java.io.IOException e) {
        want = e.getClass().getSimpleName();
      }
      String got;
      try {
        got = String.valueOf(BatchFrames.readHeader(new ByteArrayInputStream(line)));
      } catch (java.io.IOException e) {
        got = e.getClass().getSimpleName();
      }
      assertThat(got)
          .as("round %d: %s", round, new String(line, StandardCharsets.ISO_8859_1))
          .isEqualTo(want);
    }
  }

  private static byte[] randomHeader(Random rnd) {
    byte[] a = new byte[Key.LENGTH];
    byte[] o = new byte[Key.LENGTH];
    rnd.nextBytes(a);
    rnd.nextBytes(o);
    long size =
        switch (rnd.nextInt(4)) {
          case 0 -> rnd.nextInt(10);
          case 1 -> rnd.nextLong(1L << 40);
          case 2 -> Long.MAX_VALUE - rnd.nextInt(3);
          default -> rnd.nextInt(1 << 20);
        };
    String text =
        rnd.nextInt(20) == 0
            ? "end"
            : HexFormat.of().formatHex(a) + " " + HexFormat.of().formatHex(o) + " " + size;
    if (rnd.nextInt(8) == 0) {
      text = text.toUpperCase(java.util.Locale.ROOT);
    }
    if (rnd.nextInt(10) == 0) {
      text = text + "9"; // a size one digit longer: may overflow
    }
    byte[] b = text.getBytes(StandardCharsets.US_ASCII);
    int edits = rnd.nextInt(3) == 0 ? rnd.nextInt(1, 4) : 0;
    for (int e = 0; e < edits && b.length > 0; e++) {
      int at = rnd.nextInt(b.length);
      switch (rnd.nextInt(4)) {
        case 0 -> b[at] = (byte) " -+xg0\r\u00e9".charAt(rnd.nextInt(8));
        case 1 -> b = java.util.Arrays.copyOf(b, at); // cut short
        case 2 -> { // a byte more
          byte[] c = new byte[b.length + 1];
          System.arraycopy(b, 0, c, 0, at);
          c[at] = (byte) " 07\t".charAt(rnd.nextInt(4));
          System.arraycopy(b, at, c, at + 1, b.length - at);
          b = c;
        }
        default -> b[at] = (byte) rnd.nextInt(256);
      }
    }
    if (rnd.nextInt(30) == 0) {
      return b; // no newline: the stream ends first
    }
    byte[] withNl = java.util.Arrays.copyOf(b, b.length + 1);
    withNl[b.length] = '\n';
    return withNl;
  }

  /** The frame header reader as it was written first: a string, split at spaces. */
  private static Optional<BatchFrames.Header> referenceHeader(java.io.InputStream in)
      throws java.io.IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new java.io.EOFException("the batch response ended without its end marker");
      }
      if (line.size() >= 200) {
        throw new java.io.IOException("batch frame header longer than 200 bytes");
      }
      line.write(c);
    }
    String s = line.toString(StandardCharsets.US_ASCII);
    if (s.equals("end")) {
      return Optional.empty();
    }
    String[] f = s.split(" ", -1);
    try {
      if (f.length != 3 || f[2].startsWith("+")) { // a '+' sign: never written, now refused
        throw new IllegalArgumentException();
      }
      long size = Long.parseLong(f[2]);
      if (size < 0) {
        throw new IllegalArgumentException();
      }
      return Optional.of(new BatchFrames.Header(Key.ofHex(f[0]), Key.ofHex(f[1]), size));
    } catch (IllegalArgumentException e) {
      throw new java.io.IOException("malformed batch frame header");
    }
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
        case 0 ->
            line[rnd.nextInt(line.length)] = (byte) "gz -:\u00e9".charAt(rnd.nextInt(6)); // not hex
        case 1 -> line[rnd.nextInt(line.length)] = (byte) (0x80 + rnd.nextInt(0x80)); // not ASCII
        case 2 ->
            line = java.util.Arrays.copyOf(line, rnd.nextInt(line.length + 3)); // short or long
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
