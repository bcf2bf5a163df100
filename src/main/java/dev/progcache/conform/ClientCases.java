package dev.progcache.conform;

import static dev.progcache.conform.CaseFailure.check;

import dev.progcache.cache.Entry;
import dev.progcache.cache.Key;
import dev.progcache.client.GetResult;
import dev.progcache.client.ProgClient;
import dev.progcache.client.PutResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Cases run through {@link ProgClient}, which applies go's own rules to every answer. */
final class ClientCases {
  static final String HANDSHAKE = "handshake";

  private ClientCases() {}

  static List<Case> all() {
    return List.of(
        Case.required(HANDSHAKE, ClientCases::handshake),
        Case.optional("handshake-under-1s", ClientCases::quickHandshake),
        Case.required("get-miss", ClientCases::miss),
        Case.required("put-get-0B", t -> roundTrip(t, 0)),
        Case.required("put-get-1B", t -> roundTrip(t, 1)),
        Case.required("put-get-64KiB", t -> roundTrip(t, 64 << 10)),
        Case.required("put-get-8MiB", t -> roundTrip(t, 8 << 20)),
        Case.required("diskpath-survives-exit", ClientCases::survivesExit),
        Case.required("time-stable-across-runs", ClientCases::acrossRuns),
        Case.required("close", ClientCases::close));
  }

  private static Random rnd() {
    return new Random(ThreadLocalRandom.current().nextLong());
  }

  private static String handshake(Target t) throws Exception {
    try (ProgClient c = t.client()) {
      Set<String> known = c.knownCommands();
      for (String cmd : List.of("get", "put", "close")) {
        check(
            known.contains(cmd),
            "the handshake does not declare " + cmd + " (declared " + known + ")");
      }
      return "declared " + known + " after " + c.handshakeTime().toMillis() + " ms";
    }
  }

  private static String quickHandshake(Target t) throws Exception {
    try (ProgClient c = t.client()) {
      long ms = c.handshakeTime().toMillis();
      check(ms < 1000, "handshake took " + ms + " ms; go pays this on every command");
      return ms + " ms";
    }
  }

  private static String miss(Target t) throws Exception {
    try (ProgClient c = t.client()) {
      GetResult r = c.lookup(Lines.key(rnd()));
      check(
          r instanceof GetResult.Miss m && m.plain(),
          "get of a random action: want Miss, got " + r);
      return "Miss";
    }
  }

  private static String roundTrip(Target t, int size) throws Exception {
    Random rnd = rnd();
    byte[] body = Lines.bytes(rnd, size);
    Key action = Lines.key(rnd);
    try (ProgClient c = t.client()) {
      PutResult put = c.put(action, body);
      check(put.stored(), "put was not sent (helper does not declare put)");
      Path stored = c.outputFile(put.outputId()).orElseThrow();
      checkFile(stored, put.outputId(), size, "put's DiskPath");
      GetResult r = c.lookup(action);
      check(r instanceof GetResult.Hit, "get after put: " + r);
      GetResult.Hit hit = (GetResult.Hit) r;
      check(
          hit.entry().outputId().equals(put.outputId()),
          "get returned OutputID " + hit.entry().outputId() + ", put sent " + put.outputId());
      check(
          hit.entry().size() == size, "get returned Size " + hit.entry().size() + ", want " + size);
      checkFile(hit.diskPath(), put.outputId(), size, "get's DiskPath");
      return "DiskPath " + hit.diskPath();
    }
  }

  /** The file at {@code p} must be absolute and hold exactly the body with {@code id}. */
  static void checkFile(Path p, Key id, long size, String what) throws CaseFailure, IOException {
    check(p.isAbsolute(), what + " " + p + " is not absolute");
    check(Files.isRegularFile(p), what + " " + p + " is not a file");
    long actual = Files.size(p);
    check(actual == size, what + " " + p + " has " + actual + " bytes, want " + size);
    MessageDigest md;
    try (InputStream in =
        new DigestInputStream(Files.newInputStream(p), md = Lines.sha256Digest())) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    check(
        Key.of(md.digest()).equals(id),
        what + " " + p + " does not hold the body (sha256 differs)");
  }

  private static String survivesExit(Target t) throws Exception {
    Random rnd = rnd();
    byte[] body = Lines.bytes(rnd, 4096);
    PutResult put;
    Path p;
    ProgClient c = t.client();
    try (c) {
      put = c.put(Lines.key(rnd), body);
      p = c.outputFile(put.outputId()).orElseThrow();
    }
    check(c.exitStatus().isPresent(), "helper still running after close");
    checkFile(p, put.outputId(), body.length, "DiskPath after the helper exited");
    return "kept " + p;
  }

  private static String acrossRuns(Target t) throws Exception {
    Random rnd = rnd();
    Key action = Lines.key(rnd);
    Entry first;
    try (ProgClient c = t.client()) {
      c.put(action, Lines.bytes(rnd, 100));
      first = c.get(action).orElseThrow(() -> new CaseFailure("get right after put missed"));
    }
    Optional<Entry> again;
    try (ProgClient c = t.client()) {
      again = c.get(action);
    }
    if (again.isEmpty()) {
      return "not persistent (a miss after restart is allowed)";
    }
    check(
        again.get().timeNanos() == first.timeNanos(),
        "Time changed across runs: "
            + first.timeNanos()
            + " then "
            + again.get().timeNanos()
            + " (Unix ns)");
    check(again.get().outputId().equals(first.outputId()), "OutputID changed across runs");
    return "same Time after restart";
  }

  private static String close(Target t) throws Exception {
    ProgClient c = t.client();
    c.get(Lines.key(rnd()));
    long t0 = System.nanoTime();
    c.close();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    check(
        !c.killed(),
        "still running "
            + Target.EXIT_LIMIT.toSeconds()
            + " s after close was answered; it was killed");
    return "answered and exited in " + ms + " ms (status " + c.exitStatus().orElse(-1) + ")";
  }
}
