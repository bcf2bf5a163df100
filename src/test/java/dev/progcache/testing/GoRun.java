package dev.progcache.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the real go with GOCACHEPROG set to the built helper, in a directory, with a time limit.
 * stderr is read to its end through {@link Cmd}, which also waits for the helper (it outlives go
 * and shares go's stderr), so that its uploads and its stats line are complete when this returns.
 */
public final class GoRun {
  /** What one go command did. */
  public record Result(int exit, String stdout, String stderr, long millis) {
    /** A counter from the helper's {@code -v} stats line (0 when absent). */
    public long stat(String name) {
      Matcher m =
          Pattern.compile("progcache: (?:.* )?" + Pattern.quote(name) + "=(\\d+)").matcher(stderr);
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
    Files.writeString(
        dir.resolve("main.go"), "package main\n\nfunc main() { println(\"tiny\") }\n");
    return dir;
  }

  /**
   * As {@link #go}, with the helper on {@code home/cache}, {@code -v}, and the shared tier at
   * {@code remote}.
   */
  public static Result withRemote(
      Path workDir, Path home, URI remote, Map<String, String> env, long seconds, String... args)
      throws IOException, InterruptedException {
    return go(
        workDir,
        home,
        List.of("--dir", home.resolve("cache").toString(), "-v", "--remote", remote.toString()),
        env,
        seconds,
        args);
  }

  /**
   * {@code go build -o HOME/bin .} of {@code module} through {@link #withRemote}, in a new home
   * directory {@code home}.
   */
  public static Result buildWithRemote(
      Path module, Path home, URI remote, Map<String, String> env, long seconds)
      throws IOException, InterruptedException {
    Files.createDirectories(home);
    return withRemote(
        module, home, remote, env, seconds, "build", "-o", home.resolve("bin").toString(), ".");
  }

  /**
   * Runs {@code go args...} in {@code workDir} with a fresh GOCACHE under {@code home}, GOCACHEPROG
   * = the helper with {@code helperArgs}, plus {@code env}.
   */
  public static Result go(
      Path workDir,
      Path home,
      List<String> helperArgs,
      Map<String, String> env,
      long seconds,
      String... args)
      throws IOException, InterruptedException {
    return go(Dist.launcher(), workDir, home, helperArgs, env, seconds, args);
  }

  /** As {@link #go}, with {@code program} (the launcher or the relay) as the helper. */
  public static Result go(
      Path program,
      Path workDir,
      Path home,
      List<String> helperArgs,
      Map<String, String> env,
      long seconds,
      String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(GoTool.go().toString());
    cmd.addAll(List.of(args));
    Map<String, String> e = new HashMap<>(env);
    StringBuilder prog = new StringBuilder(program.toString());
    for (String a : helperArgs) {
      prog.append(' ').append(a);
    }
    e.put("GOCACHEPROG", prog.toString());
    e.putIfAbsent("GOCACHE", home.resolve("gocache").toString());
    e.put("GOTOOLCHAIN", "local");
    e.put("GOPATH", home.resolve("gopath").toString());
    e.put("GOTELEMETRY", "off");
    long t0 = System.nanoTime();
    // Cmd reads stderr until the helper (which outlives go) has closed it too
    Cmd.Result r = Cmd.run(workDir, e, seconds, cmd);
    return new Result(r.code(), r.out(), r.err(), (System.nanoTime() - t0) / 1_000_000);
  }
}
