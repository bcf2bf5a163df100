package dev.progcache.conform;

import static dev.progcache.conform.CaseFailure.check;

import dev.progcache.cache.Key;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/** Cases that talk to the helper over raw pipes, to see exactly what it writes. */
final class PipeCases {
  private static final Duration ANSWER = Target.ANSWER_LIMIT;

  private PipeCases() {}

  static List<Case> all() {
    return List.of(
        Case.required("put-objectid-only", t -> putWith(t, Lines.Ids.OBJECT_ONLY)),
        Case.required("put-outputid-only", t -> putWith(t, Lines.Ids.OUTPUT_ONLY)),
        Case.required("concurrent-200", PipeCases::concurrent),
        Case.required("time-nanoseconds", PipeCases::time),
        Case.required("unknown-command", PipeCases::unknownCommand),
        Case.required("unknown-fields-ignored", PipeCases::unknownFields),
        Case.required("eof-without-close", PipeCases::eofWithoutClose),
        Case.required("stdout-only-protocol", PipeCases::stdoutOnlyProtocol));
  }

  private static Random rnd() {
    return new Random(ThreadLocalRandom.current().nextLong());
  }

  /** Reads the handshake line, which must be the ID 0 answer. */
  static RawAnswer hello(RawHelper h) throws Exception {
    Optional<String> l = h.line(Target.HANDSHAKE_LIMIT);
    check(l.isPresent(), "the helper closed stdout without a handshake");
    RawAnswer a = RawAnswer.parse(l.get());
    check(
        a.id() == 0,
        "the first line must be the handshake (ID 0), got " + RawAnswer.quote(a.line()));
    return a;
  }

  /** Reads one answer, which must be for {@code id}. */
  static RawAnswer expect(RawHelper h, long id) throws Exception {
    RawAnswer a = h.answer(ANSWER);
    check(a.id() == id, "expected the answer to ID " + id + ", got " + RawAnswer.quote(a.line()));
    return a;
  }

  static RawAnswer noErr(RawAnswer a, String what) throws CaseFailure {
    check(a.err().isEmpty(), what + " answered Err: " + a.err());
    return a;
  }

  private static String putWith(Target t, Lines.Ids ids) throws Exception {
    Random rnd = rnd();
    Key action = Lines.key(rnd);
    byte[] body = Lines.bytes(rnd, 1000);
    try (RawHelper h = t.raw()) {
      hello(h);
      h.write(Lines.put(1, action, body, ids));
      RawAnswer put = noErr(expect(h, 1), "a put with " + ids);
      check(put.get("DiskPath").isPresent(), "put answer without DiskPath: " + put.line());
      h.write(Lines.get(2, action));
      RawAnswer get = noErr(expect(h, 2), "the get after the put");
      check(!get.miss(), "get after a put with " + ids + " was a miss");
      String want = Lines.sha256(body).base64();
      check(
          get.get("OutputID").equals(Optional.of(want)),
          "get returned OutputID " + get.get("OutputID").orElse("none") + ", want " + want);
      return "stored and found";
    }
  }

  private static String concurrent(Target t) throws Exception {
    Random rnd = rnd();
    int n = 200;
    Map<Key, Key> stored = new HashMap<>();
    try (RawHelper h = t.raw()) {
      hello(h);
      StringBuilder puts = new StringBuilder();
      Key[] actions = new Key[n / 2];
      for (int i = 0; i < n / 2; i++) {
        actions[i] = Lines.key(rnd);
        byte[] body = Lines.bytes(rnd, rnd.nextInt(4096));
        stored.put(actions[i], Lines.sha256(body));
        puts.append(Lines.put(i + 1, actions[i], body, Lines.Ids.BOTH));
      }
      h.write(puts.toString());
      collect(h, 1, n / 2, Map.of());
      // then 200 at once: gets that must hit, gets that must miss, new puts
      StringBuilder mixed = new StringBuilder();
      Map<Long, Optional<Key>> expected = new HashMap<>();
      for (int i = 0; i < n; i++) {
        long id = 1000 + i;
        switch (i % 4) {
          case 0, 1 -> {
            Key a = actions[rnd.nextInt(actions.length)];
            mixed.append(Lines.get(id, a));
            expected.put(id, Optional.of(stored.get(a)));
          }
          case 2 -> {
            mixed.append(Lines.get(id, Lines.key(rnd)));
            expected.put(id, Optional.empty());
          }
          default ->
              mixed.append(Lines.put(id, Lines.key(rnd), Lines.bytes(rnd, 100), Lines.Ids.BOTH));
        }
      }
      h.write(mixed.toString());
      int reordered = collect(h, 1000, n, expected);
      return n + " requests in flight answered once each, " + reordered + " out of order";
    }
  }

  /**
   * Reads {@code count} answers for IDs first..first+count-1; returns how many came out of order.
   */
  private static int collect(RawHelper h, long first, int count, Map<Long, Optional<Key>> gets)
      throws Exception {
    boolean[] seen = new boolean[count];
    int reordered = 0;
    long last = first - 1;
    for (int i = 0; i < count; i++) {
      RawAnswer a = noErr(h.answer(ANSWER), "a request");
      int k = (int) (a.id() - first);
      check(k >= 0 && k < count, "answer for an ID never sent: " + RawAnswer.quote(a.line()));
      check(!seen[k], "second answer for ID " + a.id());
      seen[k] = true;
      reordered += a.id() < last ? 1 : 0;
      last = a.id();
      Optional<Key> want = gets.get(a.id());
      if (want != null) {
        checkGet(a, want);
      }
    }
    return reordered;
  }

  private static void checkGet(RawAnswer a, Optional<Key> want) throws CaseFailure {
    if (want.isEmpty()) {
      check(a.miss(), "get of an unknown action was not a miss: " + a.line());
    } else {
      check(!a.miss(), "get of a stored action missed (ID " + a.id() + ")");
      check(
          a.get("OutputID").equals(Optional.of(want.get().base64())),
          "get returned the wrong OutputID: " + a.line());
    }
  }

  private static String time(Target t) throws Exception {
    Random rnd = rnd();
    Key action = Lines.key(rnd);
    try (RawHelper h = t.raw()) {
      hello(h);
      Instant before = Instant.now();
      h.write(Lines.put(1, action, Lines.bytes(rnd, 10), Lines.Ids.BOTH));
      noErr(expect(h, 1), "put");
      Instant after = Instant.now();
      h.write(Lines.get(2, action) + Lines.get(3, action));
      RawAnswer first = noErr(h.answer(ANSWER), "get");
      RawAnswer second = noErr(h.answer(ANSWER), "get");
      String t1 =
          first
              .get("Time")
              .orElseThrow(() -> new CaseFailure("get hit without Time: " + first.line()));
      check(
          second.get("Time").equals(Optional.of(t1)),
          "Time changed between two gets: " + t1 + " then " + second.get("Time").orElse("none"));
      Instant when = parseTime(t1);
      check(
          !when.isBefore(before.minusSeconds(1)) && !when.isAfter(after.plusSeconds(1)),
          "Time " + t1 + " is not when the entry was stored (" + before + " .. " + after + ")");
      int digits = fractionDigits(t1);
      check(
          digits > 0,
          "Time " + t1 + " has no fraction of a second; go compares it at nanosecond precision");
      return "Time " + t1 + " (" + digits + " fraction digits), stable";
    }
  }

  static Instant parseTime(String s) throws CaseFailure {
    try {
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new CaseFailure("Time " + s + " is not RFC 3339");
    }
  }

  private static int fractionDigits(String s) {
    int dot = s.indexOf('.');
    if (dot < 0) {
      return 0;
    }
    int i = dot + 1;
    while (i < s.length() && Character.isDigit(s.charAt(i))) {
      i++;
    }
    return i - dot - 1;
  }

  private static String unknownCommand(Target t) throws Exception {
    try (RawHelper h = t.raw()) {
      hello(h);
      h.write(
          "{\"ID\":1,\"Command\":\"conform-no-such-command\"}\n" + Lines.get(2, Lines.key(rnd())));
      RawAnswer a = expect(h, 1);
      check(!a.err().isEmpty(), "an unknown command must be answered with Err, got " + a.line());
      RawAnswer b = noErr(expect(h, 2), "a get after the unknown command");
      check(b.miss(), "get of an unknown action was not a miss: " + b.line());
      return "Err: " + a.err();
    }
  }

  private static String unknownFields(Target t) throws Exception {
    try (RawHelper h = t.raw()) {
      hello(h);
      String action = Lines.key(rnd()).base64();
      h.write(
          "{\"ID\":1,\"Command\":\"get\",\"Conform\":{\"x\":[1,{\"y\":null}]},\"ActionID\":\""
              + action
              + "\",\"Extra\":\"z\"}\n");
      RawAnswer a = noErr(expect(h, 1), "a get with unknown fields");
      check(a.miss(), "get of an unknown action was not a miss: " + a.line());
      return "ignored";
    }
  }

  private static String eofWithoutClose(Target t) throws Exception {
    try (RawHelper h = t.raw()) {
      hello(h);
      h.write(Lines.get(1, Lines.key(rnd())));
      expect(h, 1);
      long t0 = System.nanoTime();
      h.closeStdin();
      check(
          h.waitExit(Target.EXIT_LIMIT),
          "still running "
              + Target.EXIT_LIMIT.toSeconds()
              + " s after its stdin was closed without close");
      return "exited " + (System.nanoTime() - t0) / 1_000_000 + " ms after end of input";
    }
  }

  private static String stdoutOnlyProtocol(Target t) throws Exception {
    Random rnd = rnd();
    Key action = Lines.key(rnd);
    try (RawHelper h = t.raw()) {
      hello(h);
      h.write(
          Lines.put(1, action, Lines.bytes(rnd, 3000), Lines.Ids.BOTH)
              + Lines.get(2, action)
              + Lines.get(3, Lines.key(rnd))
              + Lines.close(4));
      collect(h, 1, 4, Map.of());
      Optional<String> extra = h.line(Target.EXIT_LIMIT);
      check(extra.isEmpty(), "output after the close answer: " + RawAnswer.quote(extra.orElse("")));
      check(
          h.waitExit(Target.EXIT_LIMIT),
          "still running " + Target.EXIT_LIMIT.toSeconds() + " s after answering close");
      return "only answers, then end of output";
    }
  }
}
