package dev.progcache.disk;

import dev.progcache.cache.Entry;
import dev.progcache.cache.Key;
import java.util.Optional;

/**
 * The action record format: one fixed-length ASCII line {@code v1 <action hex> <output hex> <size,
 * 20 digits> <unix nanos, 20 digits>\n}.
 *
 * <p>Fixed length and the repeated action id make truncation, mix-ups and corruption detectable.
 */
final class Record {
  static final int LENGTH = 3 + 65 + 65 + 21 + 20 + 1;

  private Record() {}

  static byte[] encode(Key action, Entry e) {
    // written out by hand: String.format cost a C1-compiled helper more than the rest of a store
    byte[] b = new byte[LENGTH];
    b[0] = 'v';
    b[1] = '1';
    b[2] = ' ';
    hex(action.hex(), b, 3);
    b[67] = ' ';
    hex(e.outputId().hex(), b, 68);
    b[132] = ' ';
    digits(e.size(), b, 133, 153);
    b[153] = ' ';
    digits(e.timeNanos(), b, 154, 174);
    b[LENGTH - 1] = '\n';
    return b;
  }

  private static void hex(String hex, byte[] b, int at) {
    for (int i = 0; i < hex.length(); i++) {
      b[at + i] = (byte) hex.charAt(i);
    }
  }

  /** {@code v} (not negative) as zero-padded decimal digits in {@code b[from..to)}. */
  private static void digits(long v, byte[] b, int from, int to) {
    if (v < 0) {
      throw new IllegalArgumentException("negative: " + v);
    }
    for (int i = to - 1; i >= from; i--) {
      b[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
  }

  /** Parses a record for {@code action}; empty when it is malformed in any way. */
  static Optional<Entry> decode(Key action, byte[] b) {
    // from the bytes, without a string: every get of a warm build reads a record
    if (b.length != LENGTH || b[0] != 'v' || b[1] != '1' || b[2] != ' ' || b[LENGTH - 1] != '\n') {
      return Optional.empty();
    }
    if (b[67] != ' ' || b[132] != ' ' || b[153] != ' ') {
      return Optional.empty();
    }
    Key recorded = Key.ofHexOrNull(b, 3);
    Key output = Key.ofHexOrNull(b, 68);
    if (recorded == null || !recorded.equals(action) || output == null) {
      return Optional.empty();
    }
    long size = digits(b, 133, 153);
    long time = digits(b, 154, 174);
    if (size < 0 || time < 0) {
      return Optional.empty();
    }
    return Optional.of(new Entry(output, size, time));
  }

  /** The decimal number in {@code b[from..to)}; -1 for anything but digits or an overflow. */
  private static long digits(byte[] b, int from, int to) {
    long v = 0;
    for (int i = from; i < to; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9 || v > (Long.MAX_VALUE - d) / 10) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }
}
