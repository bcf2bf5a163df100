package dev.progcache.testing;

import dev.progcache.cache.Key;
import dev.progcache.protocol.Request;
import dev.progcache.protocol.RequestReader;
import dev.progcache.protocol.ResponseWriter;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small in-memory GOCACHEPROG helper that misbehaves in one chosen way, run as its own process by
 * tests: {@code FakeHelper MODE DIR [TRIGGER]}. Bodies are written to files in DIR. Faults that
 * concern answers wait until TRIGGER gets (default 1) are in flight, then strike.
 *
 * <p>Modes: good, duplicate, unknown-id, early-eof, garbage, no-diskpath, short-outputid, no-time,
 * no-put, no-close, no-handshake, no-commands, ignore-eof, chatty (prints a non-protocol line on
 * stdout after close).
 */
public final class FakeHelper {
  private record Stored(Key output, long size, long nanos, Path path) {}

  private final String mode;
  private final Path dir;
  private final int trigger;
  private final OutputStream out = new FileOutputStream(FileDescriptor.out);
  private final ResponseWriter writer = new ResponseWriter(out);
  private final Map<Key, Stored> store = new HashMap<>();
  private final List<Request> held = new ArrayList<>();

  private FakeHelper(String mode, Path dir, int trigger) {
    this.mode = mode;
    this.dir = dir;
    this.trigger = trigger;
  }

  public static void main(String[] args) throws Exception {
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    System.err.println("fake helper " + args[0] + " started");
    int trigger = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    new FakeHelper(args[0], Path.of(args[1]), trigger).run();
  }

  private void run() throws Exception {
    switch (mode) {
      case "no-handshake" -> {
        System.in.transferTo(OutputStream.nullOutputStream());
        return;
      }
      case "no-commands" -> raw("{\"ID\":0,\"KnownCommands\":[]}");
      case "no-put" -> raw("{\"ID\":0,\"KnownCommands\":[\"get\",\"close\"]}");
      case "no-close" -> raw("{\"ID\":0,\"KnownCommands\":[\"get\",\"put\"]}");
      default -> raw("{\"ID\":0,\"KnownCommands\":[\"get\",\"put\",\"close\"]}");
    }
    RequestReader reader = new RequestReader(System.in);
    for (Request r = reader.next(); r != null; r = reader.next()) {
      switch (r.command()) {
        case "get" -> get(r);
        case "put" -> put(r, reader);
        case "close" -> {
          writer.ok(r.id());
          if (mode.equals("chatty")) {
            raw("goodbye from a chatty helper");
          }
          lingerIfAsked();
          return;
        }
        default -> writer.err(r.id(), "unknown command " + r.command());
      }
    }
    lingerIfAsked();
  }

  private void lingerIfAsked() throws InterruptedException {
    if (mode.equals("ignore-eof")) {
      Thread.sleep(60_000);
    }
  }

  private void get(Request r) throws IOException {
    switch (mode) {
      case "duplicate", "unknown-id", "early-eof", "garbage" -> {
        held.add(r);
        if (held.size() >= trigger) {
          strike();
        }
      }
      default -> answerGet(r);
    }
  }

  private void strike() throws IOException {
    switch (mode) {
      case "duplicate" -> {
        held.forEach(this::answerGet);
        answerGet(held.getLast());
      }
      case "unknown-id" -> writer.miss(held.getLast().id() + 1000);
      case "early-eof" -> {
        out.close();
        System.exit(0);
      }
      case "garbage" -> raw("this is not JSON");
      default -> throw new IllegalStateException(mode);
    }
    held.clear();
  }

  private void answerGet(Request r) {
    Stored s = store.get(Key.of(r.actionId()));
    if (s == null) {
      writer.miss(r.id());
      return;
    }
    Base64.Encoder b64 = Base64.getEncoder();
    String time = ResponseWriter.formatTime(s.nanos());
    switch (mode) {
      case "no-diskpath" ->
          raw(
              "{\"ID\":%d,\"OutputID\":\"%s\",\"Size\":%d,\"Time\":\"%s\"}"
                  .formatted(r.id(), s.output().base64(), s.size(), time));
      case "short-outputid" ->
          raw(
              "{\"ID\":%d,\"OutputID\":\"%s\",\"Size\":%d,\"Time\":\"%s\",\"DiskPath\":\"%s\"}"
                  .formatted(r.id(), b64.encodeToString(new byte[16]), s.size(), time, s.path()));
      case "no-time" ->
          raw(
              "{\"ID\":%d,\"OutputID\":\"%s\",\"Size\":%d,\"DiskPath\":\"%s\"}"
                  .formatted(r.id(), s.output().base64(), s.size(), s.path()));
      default -> writer.hit(r.id(), s.output(), s.size(), s.nanos(), s.path().toString());
    }
  }

  private void put(Request r, RequestReader reader) throws Exception {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (r.bodySize() > 0) {
      reader.readBody(r, body);
    }
    if (mode.equals("no-put")) {
      writer.err(r.id(), "this helper does not do put");
      return;
    }
    byte[] bytes = body.toByteArray();
    Key output = Key.of(MessageDigest.getInstance("SHA-256").digest(bytes));
    if (bytes.length != r.bodySize() || !output.equals(Key.of(r.output()))) {
      writer.err(r.id(), "body does not match BodySize/OutputID");
      return;
    }
    Path p = dir.resolve(output.hex());
    Files.write(p, bytes);
    java.time.Instant now = java.time.Instant.now();
    long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    store.put(Key.of(r.actionId()), new Stored(output, bytes.length, nanos, p));
    if (mode.equals("no-diskpath")) {
      writer.ok(r.id());
    } else {
      writer.stored(r.id(), p.toString());
    }
  }

  private void raw(String line) {
    try {
      out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The command that runs this helper in the test JVM's java, with its classpath. */
  public static List<String> argv(String mode, Path dir, int trigger) {
    String java = ProcessHandle.current().info().command().orElse("java");
    String cp = System.getProperty("java.class.path");
    return List.of(
        java,
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        "-Xshare:auto",
        "-cp",
        cp,
        FakeHelper.class.getName(),
        mode,
        dir.toString(),
        Integer.toString(trigger));
  }

  /** {@link #argv} as one GOCACHEPROG string. */
  public static String command(String mode, Path dir, int trigger) {
    return dev.progcache.client.QuotedArgs.join(argv(mode, dir, trigger));
  }

  /** {@link #command(String, Path, int)} with the fault striking at the first get. */
  public static String command(String mode, Path dir) {
    return command(mode, dir, 1);
  }
}
