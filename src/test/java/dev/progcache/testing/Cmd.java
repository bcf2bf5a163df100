package dev.progcache.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs a command to completion with a timeout and captures its output. */
public final class Cmd {
  /** What a finished command printed and returned. */
  public record Result(int code, String out, String err) {
    /** Fails with the output when the command did not exit 0. */
    public Result ok() {
      if (code != 0) {
        throw new AssertionError("exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err);
      }
      return this;
    }

    /** The value of counter {@code name} in the last progcache stats line on stderr. */
    public long stat(String name) {
      Matcher m =
          Pattern.compile("(?:^|\\s)" + Pattern.quote(name) + "=(\\d+)").matcher(lastStats());
      if (!m.find()) {
        throw new AssertionError("no " + name + " in the stats line; stderr:\n" + err);
      }
      return Long.parseLong(m.group(1));
    }

    /** Sum of counter {@code name} over every stats line on stderr (one per helper start). */
    public long statSum(String name) {
      long sum = 0;
      Pattern p = Pattern.compile("(?:^|\\s)" + Pattern.quote(name) + "=(\\d+)");
      for (String l : err.split("\n")) {
        if (l.startsWith("progcache: gets=")) {
          Matcher m = p.matcher(l);
          if (m.find()) {
            sum += Long.parseLong(m.group(1));
          }
        }
      }
      return sum;
    }

    private String lastStats() {
      String last = null;
      for (String l : err.split("\n")) {
        if (l.startsWith("progcache: gets=")) {
          last = l;
        }
      }
      if (last == null) {
        throw new AssertionError(
            "no progcache stats line (exit " + code + "); stdout:\n" + out + "\nstderr:\n" + err);
      }
      return last;
    }
  }

  private Cmd() {}

  public static Result run(Path dir, Map<String, String> env, long timeoutSeconds, String... cmd)
      throws IOException, InterruptedException {
    return run(dir, env, timeoutSeconds, List.of(cmd));
  }

  public static Result run(Path dir, Map<String, String> env, long timeoutSeconds, List<String> cmd)
      throws IOException, InterruptedException {
    // go leaves its GOCACHEPROG helper running after it exits, writing its summary to the
    // stderr it shares with go. The JDK closes a child's pipes as soon as the child exits, which
    // would lose those late lines; so stderr goes through cat, which ends only when every writer
    // (the command and anything it left behind) has closed it.
    List<String> wrapped = new ArrayList<>();
    wrapped.add("bash");
    wrapped.add("-c");
    wrapped.add("exec 3>&1; set -o pipefail; \"$@\" 2>&1 1>&3 3>&- | cat >&2");
    wrapped.add("bash");
    wrapped.addAll(cmd);
    ProcessBuilder pb = new ProcessBuilder(wrapped).directory(dir.toFile());
    pb.environment().putAll(env);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p = pb.start();
    // a thread of its own for each pipe: on a pool, one blocked reader can keep the other from
    // running, and a command whose output fills its pipe then waits forever
    CompletableFuture<String> out = reader(p.getInputStream());
    CompletableFuture<String> err = reader(p.getErrorStream());
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError(cmd + " did not finish within " + timeoutSeconds + " s");
    }
    return new Result(p.exitValue(), out.join(), err.join());
  }

  private static CompletableFuture<String> reader(java.io.InputStream in) {
    CompletableFuture<String> f = new CompletableFuture<>();
    Thread.ofVirtual().name("cmd-output").start(() -> f.complete(read(in)));
    return f;
  }

  private static String read(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
