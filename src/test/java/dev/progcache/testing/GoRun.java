package dev.progcache.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the real go with GOCACHEPROG set to the built helper, in a directory, with a time limit.
 * Output is read to its end, which also waits for the helper (it shares go's stderr), so that its
 * uploads and its stats line are complete when this returns.
 */
public final class GoRun {
  /** What one go command did. */
  public record Result(int exit, String stdout, String stderr, long millis) {
    /** A counter from the helper's {@code -v} stats line (0 when absent). */
    public long stat(String name) {
      Matcher m = Pattern.compile("progcache: (?:.* )?" + Pattern.quote(name) + "=(\\d+)").matcher(stderr);
      long v = 0;
      while (m.find()) {
        v = Long.parseLong(m.group(1));
      }
      return v;
    }

    public boolean hasStats() {
      return stderr.contains("progcache: gets=");
    }
  }

  private GoRun() {}

  /** A module with one main package importing nothing (fast to build cold). */
  public static Path tinyModule(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("go.mod"), "module tiny\n\ngo 1.24\n");
    Files.writeString(dir.resolve("main.go"), "package main\n\nfunc main() { println(\"tiny\") }\n");
    return dir;
  }

  /**
   * Runs {@code go args...} in {@code workDir} with a fresh GOCACHE under {@code home}, GOCACHEPROG
   * = the helper with {@code helperArgs}, plus {@code env}.
   */
  public static Result go(
      Path workDir, Path home, List<String> helperArgs, Map<String, String> env, long seconds, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(GoTool.go().toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
    Map<String, String> e = new HashMap<>(env);
    StringBuilder prog = new StringBuilder(Dist.launcher().toString());
    for (String a : helperArgs) {
      prog.append(' ').append(a);
    }
    e.put("GOCACHEPROG", prog.toString());
    e.putIfAbsent("GOCACHE", home.resolve("gocache").toString());
    e.put("GOTOOLCHAIN", "local");
    e.put("GOPATH", home.resolve("gopath").toString());
    e.put("GOTELEMETRY", "off");
    pb.environment().putAll(e);
    long t0 = System.nanoTime();
    Process p = pb.start();
    p.getOutputStream().close();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p, true), r -> Thread.ofVirtual().start(r));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p, false), r -> Thread.ofVirtual().start(r));
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError("go " + String.join(" ", args) + " still running after " + seconds + " s");
    }
    try {
      String o = out.get(seconds, TimeUnit.SECONDS);
      String r = err.get(seconds, TimeUnit.SECONDS);
      return new Result(p.exitValue(), o, r, (System.nanoTime() - t0) / 1_000_000);
    } catch (Exception x) {
      throw new AssertionError("output of go did not end (helper still running?)", x);
    }
  }

  private static String read(Process p, boolean out) {
    try {
      return new String(
          (out ? p.getInputStream() : p.getErrorStream()).readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
