package dev.progcache.wire;

import dev.progcache.cache.Key;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The wire forms of prefetching, shared by client and server:
 *
 * <ul>
 *   <li>an id list ({@code POST /batch}, {@code POST /manifest/<context>}, and the body of {@code
 *       GET /manifest/<context>}): one 64-hex-digit id per line, {@code \n}-terminated;
 *   <li>a manifest ({@link Manifest}) is an id list, the ids go asked for first, with two headers
 *       on both {@code GET} answers and {@code POST} reports: {@value #ASKED} (how many ids, from
 *       the start, go asked for) and {@value #SETTLED} ({@code 1} when settled, or when the report
 *       settles it; else absent). An answer without them comes from a server that keeps no asks
 *       (all asked for, settled), a report without them from an older helper (none asked for). A
 *       peer that ignores them sees the id list it always did;
 *   <li>a batch response ({@code Content-Type:} {@value #CONTENT_TYPE}): for every hit a header
 *       line {@code <action hex> <output hex> <size>\n} followed by exactly {@code size} bytes,
 *       then {@code end\n}. Misses are left out.
 * </ul>
 *
 * <p>Parsing is bounded: lists longer than their cap are refused whole, malformed lines are
 * skipped, header lines are at most {@value #MAX_HEADER} bytes. Stateless; thread-safe.
 */
public final class BatchFrames {
  public static final String CONTENT_TYPE = "application/x-progcache-batch";

  /** Ids in one batch request at most. */
  public static final int MAX_BATCH = 256;

  /** Ids in one manifest at most. */
  public static final int MAX_MANIFEST = 20_000;

  /** Bytes of one id line. */
  public static final int LINE = Key.LENGTH * 2 + 1;

  /** Header: how many of a manifest's ids, from the start, go asked for. */
  public static final String ASKED = "Progcache-Asked";

  /** Header: {@code 1} on a settled manifest, or on a report that settles it. */
  public static final String SETTLED = "Progcache-Settled";

  private static final int MAX_HEADER = 200;
  private static final byte[] END = "end\n".getBytes(StandardCharsets.US_ASCII);

  private BatchFrames() {}

  /**
   * The manifest a {@code GET} answered: {@code ids} with the values of the {@value #ASKED} and
   * {@value #SETTLED} headers (null when absent). Without a plain-number {@value #ASKED} (a server
   * that keeps no asks) it is {@link Manifest#allAsked}; a count beyond the list means all.
   */
  public static Manifest answer(List<Key> ids, @Nullable String asked, @Nullable String settled) {
    int n = count(asked);
    if (n < 0) {
      return Manifest.allAsked(ids);
    }
    return new Manifest(ids, Math.min(ids.size(), n), "1".equals(settled));
  }

  /**
   * The report a {@code POST} carried, as {@link #answer} reads it, except that without a
   * plain-number {@value #ASKED} (an older helper) none is asked for and it settles nothing.
   */
  public static Manifest report(List<Key> ids, @Nullable String asked, @Nullable String settled) {
    int n = count(asked);
    return n < 0 ? new Manifest(ids, 0, false) : answer(ids, asked, settled);
  }

  /** A header's plain decimal count (at most 9 digits), or -1. */
  private static int count(@Nullable String v) {
    if (v == null
        || v.isEmpty()
        || v.length() > 9
        || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    return Integer.parseInt(v);
  }

  /** {@code ids} as an id list. */
  public static byte[] ids(List<Key> ids) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(ids.size() * LINE);
    for (Key k : ids) {
      b.writeBytes(k.hex().getBytes(StandardCharsets.US_ASCII));
      b.write('\n');
    }
    return b.toByteArray();
  }

  /**
   * Reads an id list of at most {@code max} ids: distinct, in order, malformed lines skipped. Empty
   * when the input has more than {@code max} ids, or more than {@code max} lines' worth of bytes
   * (refused whole).
   */
  public static Optional<List<Key>> parseIds(InputStream in, int max) throws IOException {
    long limit = (long) max * (LINE + 1); // tolerates \r\n
    byte[] all = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
    if (all.length > limit) {
      return Optional.empty();
    }
    // bytes, not a string per line: a fresh runner waits for this list before fetching anything
    Set<Key> out = new LinkedHashSet<>();
    for (int start = 0; start <= all.length; ) {
      int end = start;
      while (end < all.length && all[end] != '\n') {
        end++;
      }
      int from = start;
      int to = end;
      while (from < to && isSpace(all[from])) {
        from++;
      }
      while (to > from && isSpace(all[to - 1])) {
        to--;
      }
      if (to - from == Key.LENGTH * 2) {
        Key k = Key.ofHexOrNull(all, from); // null: not hex, skipped
        if (k != null) {
          out.add(k);
          if (out.size() > max) {
            return Optional.empty();
          }
        }
      }
      start = end + 1;
    }
    return Optional.of(new ArrayList<>(out));
  }

  /** What {@link String#strip()} removes, for one byte of ASCII text. */
  private static boolean isSpace(byte b) {
    return b >= 0 && Character.isWhitespace(b);
  }

  /** Writes one frame's header; the caller then writes exactly {@code size} bytes. */
  public static void writeHeader(OutputStream out, Key action, Key output, long size)
      throws IOException {
    out.write(header(action, output, size));
  }

  /** One frame's header line. */
  public static byte[] header(Key action, Key output, long size) {
    return (action.hex() + " " + output.hex() + " " + size + "\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** The end marker's bytes (a copy). */
  public static byte[] end() {
    return END.clone();
  }

  /** Writes the end marker. */
  public static void writeEnd(OutputStream out) throws IOException {
    out.write(END);
  }

  /** One frame's header. */
  public record Header(Key action, Key output, long size) {}

  /**
   * Reads the next frame header; empty at the end marker.
   *
   * @throws IOException for a malformed header or a stream that ends without the end marker
   */
  public static Optional<Header> readHeader(InputStream in) throws IOException {
    // bytes, not strings: read once per object of a batch, thousands of times per fresh runner
    byte[] line = new byte[MAX_HEADER];
    int n = 0;
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("the batch response ended without its end marker");
      }
      if (n >= MAX_HEADER) {
        throw new IOException("batch frame header longer than " + MAX_HEADER + " bytes");
      }
      line[n++] = (byte) c;
    }
    if (n == END.length - 1 && Arrays.equals(line, 0, n, END, 0, n)) {
      return Optional.empty();
    }
    // <64 hex> <64 hex> <decimal size>
    int hex = Key.LENGTH * 2;
    if (n < 2 * hex + 3 || line[hex] != ' ' || line[2 * hex + 1] != ' ') {
      throw new IOException("malformed batch frame header");
    }
    Key action = Key.ofHexOrNull(line, 0);
    Key output = Key.ofHexOrNull(line, hex + 1);
    long size = 0;
    for (int i = 2 * hex + 2; i < n; i++) {
      int d = line[i] - '0';
      if (d < 0 || d > 9 || size > (Long.MAX_VALUE - d) / 10 || i - (2 * hex + 2) >= 19) {
        throw new IOException("malformed batch frame header");
      }
      size = size * 10 + d;
    }
    if (action == null || output == null) {
      throw new IOException("malformed batch frame header");
    }
    return Optional.of(new Header(action, output, size));
  }

  /**
   * The next {@code size} bytes of {@code in} as a stream that ends there (and fails if {@code in}
   * ends first). Closing it does not close {@code in}.
   */
  public static InputStream body(InputStream in, long size) {
    return new InputStream() {
      private long left = size;

      @Override
      public int read() throws IOException {
        byte[] b = new byte[1];
        return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        if (left == 0) {
          return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n < 0) {
          throw new EOFException(
              "a batch frame ended after " + (size - left) + " of " + size + " bytes");
        }
        left -= n;
        return n;
      }

      @Override
      public void close() throws IOException {
        // drain to the next frame (nothing to do after a body read to its end)
        if (left > 0) {
          byte[] skip = new byte[8192];
          while (left > 0 && read(skip, 0, skip.length) >= 0) {
            // keep reading
          }
        }
      }
    };
  }
}
