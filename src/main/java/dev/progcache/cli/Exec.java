package dev.progcache.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code progcache exec [helper flags] -- CMD...}: runs CMD with {@code GOCACHEPROG} naming this
 * progcache and those flags; CMD shares our stdin, stdout and stderr, gets SIGTERM when we do, and
 * its exit status becomes ours.
 */
final class Exec {
  static final String USAGE =
      """
      usage: progcache exec [helper flags] -- CMD [ARGS...]

      Runs CMD (usually a go command) with GOCACHEPROG set to this progcache and the helper
      flags given, e.g. progcache exec -v -- go build ./... CMD shares stdin, stdout and
      stderr, gets SIGTERM when progcache does, and its exit status is progcache's. progcache
      returns only after the helpers CMD started have written their last line (the -v summary).
      """;

  private Exec() {}

  static int run(List<String> args, Map<String, String> env) throws ConfigException {
    List<String> rest = new ArrayList<>();
    HelperConfig cfg = HelperConfig.parse(args, env, rest);
    if (!rest.isEmpty() && rest.get(0).equals("--")) {
      rest = rest.subList(1, rest.size());
    }
    if (rest.isEmpty()) {
      throw new ConfigException("exec needs a command: progcache exec [flags] -- go build ./...");
    }
    List<String> helper = new ArrayList<>(self());
    helper.addAll(cfg.flags());
    String prog = goCacheProg(helper);
    // stderr through a pipe to a cat of ours: the helpers go starts write to it after go has
    // exited (the -v summary, upload failures), and cat ends only when the last of them closed it
    Optional<Process> relay = stderrRelay();
    ProcessBuilder pb =
        new ProcessBuilder(rest)
            .redirectInput(ProcessBuilder.Redirect.INHERIT)
            .redirectOutput(ProcessBuilder.Redirect.INHERIT)
            .redirectError(
                relay
                    .map(
                        c ->
                            ProcessBuilder.Redirect.appendTo(
                                new java.io.File("/proc/" + c.pid() + "/fd/0")))
                    .orElse(ProcessBuilder.Redirect.INHERIT));
    pb.environment().put("GOCACHEPROG", prog);
    // The hook is in place before the child starts, so a SIGTERM at any moment reaches it.
    java.util.concurrent.atomic.AtomicReference<Process> child =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean started =
        new java.util.concurrent.atomic.AtomicBoolean();
    Thread forward =
        new Thread(
            () -> {
              Process c = child.get();
              for (int i = 0; c == null && i < 100 && started.get(); i++) {
                Thread.onSpinWait(); // the child is starting: forward to it once it is known
                try {
                  Thread.sleep(10);
                } catch (InterruptedException e) {
                  break;
                }
                c = child.get();
              }
              if (c != null && c.isAlive()) {
                c.destroy(); // SIGTERM, as we got
                try {
                  if (!c.waitFor(10, TimeUnit.SECONDS)) {
                    c.destroyForcibly();
                  }
                } catch (InterruptedException e) {
                  c.destroyForcibly();
                }
              }
            });
    Runtime.getRuntime().addShutdownHook(forward);
    Process p;
    started.set(true);
    try {
      p = pb.start();
    } catch (IOException e) {
      started.set(false);
      relay.ifPresent(Process::destroy);
      throw new ConfigException("cannot start " + rest.get(0) + ": " + startFailure(e));
    } finally {
      relay.ifPresent(Exec::closeOurEnd); // from now on only CMD and its helpers hold the pipe
    }
    child.set(p);
    try {
      int status = p.waitFor();
      if (relay.isPresent()
          && !relay.get().waitFor(STDERR_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        relay.get().destroy(); // bounded: a helper stuck on a dead server must not hold us
      }
      return status;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  /** How long, after CMD exits, its helpers may keep writing to stderr before we return. */
  static final java.time.Duration STDERR_WAIT = java.time.Duration.ofSeconds(60);

  /** A cat copying its stdin to our stderr, or empty when none can be started. */
  private static Optional<Process> stderrRelay() {
    try {
      return Optional.of(
          new ProcessBuilder("cat")
              .redirectOutput(ProcessBuilder.Redirect.appendTo(new java.io.File("/dev/stderr")))
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start());
    } catch (IOException e) {
      return Optional.empty(); // then CMD writes to our stderr directly
    }
  }

  private static void closeOurEnd(Process cat) {
    try {
      cat.getOutputStream().close();
    } catch (IOException e) {
      // already closed
    }
  }

  /** Why a program did not start, in words ("no such file or directory"), without the JDK's. */
  static String startFailure(IOException e) {
    String m = e.getMessage() == null ? "" : e.getMessage().strip();
    // the JDK says: Cannot run program "x": Exec failed, error: 2 (No such file or directory)
    int open = m.lastIndexOf('(');
    if (m.startsWith("Cannot run program") && open >= 0 && m.endsWith(")")) {
      String why = m.substring(open + 1, m.length() - 1).toLowerCase(java.util.Locale.ROOT);
      return why + (why.contains("no such file") ? " (is it installed and on PATH?)" : "");
    }
    return m.isEmpty() ? "it could not be executed" : m.replace("Cannot run program", "cannot run");
  }

  /** {@code args} as one GOCACHEPROG value, quoted the way go splits it. */
  static String goCacheProg(List<String> args) throws ConfigException {
    try {
      return dev.progcache.client.QuotedArgs.join(args);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /** How to start this progcache: the launcher when known, else this JVM with our jar. */
  static List<String> self() {
    String launcher = System.getProperty("progcache.launcher");
    if (launcher != null && Files.isExecutable(Path.of(launcher))) {
      return List.of(Path.of(launcher).toAbsolutePath().toString());
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    String cp = System.getProperty("java.class.path");
    return List.of(java, "-cp", cp, Main.class.getName());
  }
}
