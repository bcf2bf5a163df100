package dev.progcache.server.status;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.json.JsonFactory;

/**
 * Request counts over time in two bounded rings: {@value #HOUR_BUCKETS} one-minute buckets (the
 * last hour) and {@value #DAY_BUCKETS} ten-minute buckets (the last day). It is fed by {@link
 * #sample} with the server's cumulative counters from time to time (not per request), so requests
 * pay nothing for it; what happened since the last sample is put in the bucket of the sample's
 * time.
 *
 * <p>Thread-safe. The rings can be saved to and loaded from a file, so a restart keeps the history;
 * buckets too old for their ring are dropped on load.
 */
public final class StatusHistory {
  /** What each bucket counts, in this order (index into {@link Bucket#counts()}). */
  enum Field {
    ACTION_HIT,
    ACTION_MISS,
    OUTPUT_HIT,
    OUTPUT_MISS,
    PUT_OK,
    REJECTED
  }

  public static final int HOUR_BUCKETS = 60;
  public static final int DAY_BUCKETS = 144;
  static final long MINUTE = 60_000;
  private static final int FIELDS = Field.values().length;
  private static final JsonFactory FACTORY = new JsonFactory();

  /**
   * One bucket: its start (epoch millis), its width and the counts in it.
   *
   * @param counts indexed by {@link Field#ordinal()}
   */
  record Bucket(long start, long widthMillis, long[] counts) {
    long get(Field f) {
      return counts[f.ordinal()];
    }

    /** Every request counted in the bucket. */
    long requests() {
      long n = 0;
      for (long c : counts) {
        n += c;
      }
      return n;
    }
  }

  /** A fixed number of buckets of one width, indexed by time. */
  private static final class Ring {
    final long width;
    final long[] starts;
    final long[][] sums;

    Ring(int size, long width) {
      this.width = width;
      this.starts = new long[size];
      this.sums = new long[size][FIELDS];
      java.util.Arrays.fill(starts, Long.MIN_VALUE);
    }

    long[] bucket(long start) {
      int i = (int) Math.floorMod(Math.floorDiv(start, width), (long) starts.length);
      if (starts[i] != start) {
        starts[i] = start;
        java.util.Arrays.fill(sums[i], 0);
      }
      return sums[i];
    }

    void add(long now, long[] delta) {
      long[] b = bucket(Math.floorDiv(now, width) * width);
      for (int f = 0; f < FIELDS; f++) {
        b[f] += delta[f];
      }
    }

    List<Bucket> snapshot(long now, long[] live) {
      List<Bucket> out = new ArrayList<>(starts.length);
      long last = Math.floorDiv(now, width);
      for (int k = starts.length - 1; k >= 0; k--) {
        long start = (last - k) * width;
        int i = (int) Math.floorMod(last - k, (long) starts.length);
        long[] c = starts[i] == start ? sums[i].clone() : new long[FIELDS];
        if (k == 0) {
          for (int f = 0; f < FIELDS; f++) {
            c[f] += live[f];
          }
        }
        out.add(new Bucket(start, width, c));
      }
      return out;
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Ring hour = new Ring(HOUR_BUCKETS, MINUTE);
  private final Ring day = new Ring(DAY_BUCKETS, 10 * MINUTE);
  private final long[] last = new long[FIELDS];

  /**
   * Adds what the cumulative {@code totals} (indexed by {@link Field#ordinal()}) grew by since the
   * previous sample to the buckets of {@code nowMillis}. A counter that went down (a restart)
   * counts from zero.
   */
  void sample(long nowMillis, long[] totals) {
    lock.lock();
    try {
      long[] delta = delta(totals);
      hour.add(nowMillis, delta);
      day.add(nowMillis, delta);
      System.arraycopy(totals, 0, last, 0, FIELDS);
    } finally {
      lock.unlock();
    }
  }

  private long[] delta(long[] totals) {
    long[] d = new long[FIELDS];
    for (int f = 0; f < FIELDS; f++) {
      d[f] = totals[f] >= last[f] ? totals[f] - last[f] : totals[f];
    }
    return d;
  }

  /** The last hour, oldest first, the current minute including what {@code totals} add. */
  List<Bucket> lastHour(long nowMillis, long[] totals) {
    lock.lock();
    try {
      return hour.snapshot(nowMillis, delta(totals));
    } finally {
      lock.unlock();
    }
  }

  /** The last day in ten-minute buckets, oldest first, like {@link #lastHour}. */
  List<Bucket> lastDay(long nowMillis, long[] totals) {
    lock.lock();
    try {
      return day.snapshot(nowMillis, delta(totals));
    } finally {
      lock.unlock();
    }
  }

  /** Writes both rings to {@code file} (temp file + rename). */
  void save(Path file) throws IOException {
    StringWriter w = new StringWriter();
    lock.lock();
    try (JsonGenerator g =
        FACTORY.createGenerator(tools.jackson.core.ObjectWriteContext.empty(), w)) {
      g.writeStartObject();
      g.writeNumberProperty("format", 1);
      writeRing(g, "hour", hour);
      writeRing(g, "day", day);
      g.writeEndObject();
    } finally {
      lock.unlock();
    }
    dev.progcache.disk.AtomicFiles.write(
        file, w.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static void writeRing(JsonGenerator g, String name, Ring r) {
    g.writeArrayPropertyStart(name);
    for (int i = 0; i < r.starts.length; i++) {
      if (r.starts[i] == Long.MIN_VALUE) {
        continue;
      }
      g.writeStartArray();
      g.writeNumber(r.starts[i]);
      for (long c : r.sums[i]) {
        g.writeNumber(c);
      }
      g.writeEndArray();
    }
    g.writeEndArray();
  }

  /**
   * Loads rings saved by {@link #save}, keeping the buckets that are still within their ring at
   * {@code nowMillis}. A missing file is an empty history.
   *
   * @throws IOException when the file cannot be read or is not a saved history
   */
  void load(Path file, long nowMillis) throws IOException {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      return;
    }
    lock.lock();
    try (JsonParser p = FACTORY.createParser(tools.jackson.core.ObjectReadContext.empty(), text)) {
      expect(p.nextToken() == JsonToken.START_OBJECT, file);
      for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (name.equals("hour") || name.equals("day")) {
          readRing(p, name.equals("hour") ? hour : day, nowMillis, file);
        } else if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
          p.skipChildren();
        }
      }
    } catch (tools.jackson.core.JacksonException e) {
      throw new IOException(
          "not a saved status history: " + file + " (" + e.getOriginalMessage() + ")", e);
    } finally {
      lock.unlock();
    }
  }

  private static void readRing(JsonParser p, Ring r, long now, Path file) throws IOException {
    expect(p.currentToken() == JsonToken.START_ARRAY, file);
    long oldest = (Math.floorDiv(now, r.width) - r.starts.length + 1) * r.width;
    while (p.nextToken() == JsonToken.START_ARRAY) {
      long[] row = new long[FIELDS + 1];
      int n = 0;
      while (p.nextToken() == JsonToken.VALUE_NUMBER_INT) {
        if (n <= FIELDS) {
          row[n] = p.getLongValue();
        }
        n++;
      }
      expect(n == FIELDS + 1 && row[0] % r.width == 0, file);
      if (row[0] >= oldest && row[0] <= now) {
        long[] b = r.bucket(row[0]);
        for (int f = 0; f < FIELDS; f++) {
          b[f] = Math.max(0, row[f + 1]);
        }
      }
    }
  }

  private static void expect(boolean ok, Path file) throws IOException {
    if (!ok) {
      throw new IOException("not a saved status history: " + file);
    }
  }
}
