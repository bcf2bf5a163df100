package dev.progcache.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code progcache setup}: makes plain {@code go} use progcache through {@code go env -w
 * GOCACHEPROG=...} (go keeps it in its own env file), and undoes that. It remembers what it wrote
 * in {@code $XDG_CONFIG_HOME/progcache/setup-gocacheprog} so it never overwrites or removes a
 * GOCACHEPROG it did not write, unless told to with {@code --force}.
 *
 * <p>By default go gets the relay of daemon mode through a stable entry ({@link StableRelay}): a
 * copy of this install's relay under {@code $XDG_DATA_HOME/progcache/bin} that knows which install
 * it belongs to, so upgrading means running the new install's {@code setup}, and deleting an old
 * install never leaves go pointing at a missing file. {@code --one-shot} points go at this
 * install's launcher instead.
 */
final class Setup {
  static final String USAGE =
      """
      usage: progcache setup [--one-shot] [--force] [helper flags...]   make plain go use progcache
             progcache setup --undo [--force]                           restore go's default cache
             progcache setup --print [--one-shot] [helper flags...]     only print the lines to add
                                                                        to a shell profile or CI file
        (default)   daemon mode: go starts the small native relay, which hands each go command to
                    a resident progcache daemon (started on demand; exits after 15 idle minutes).
                    The relay is installed as a stable copy under $XDG_DATA_HOME/progcache/bin
                    (~/.local/share/progcache/bin) that follows the install setup last ran from.
        --one-shot  go starts this install's bin/progcache, a new JVM for every go command
        --force     replace or remove a GOCACHEPROG that progcache setup did not write
      helper flags (e.g. --dir DIR, -v, --remote URL) are passed on in GOCACHEPROG.
      """;

  private final Map<String, String> env;
  private final Path go;

  private Setup(Map<String, String> env, Path go) {
    this.env = env;
    this.go = go;
  }

  static int run(List<String> args, Map<String, String> env) throws ConfigException {
    boolean undo = false;
    boolean force = false;
    boolean print = false;
    boolean oneShot = false;
    List<String> helperFlags = new ArrayList<>();
    for (String a : args) {
      switch (a) {
        case "--undo" -> undo = true;
        case "--force" -> force = true;
        case "--print" -> print = true;
        case "--daemon" -> oneShot = false; // the default since daemon mode became the normal path
        case "--one-shot" -> oneShot = true;
        case "-h", "--help" -> {
          System.out.print(USAGE);
          return 0;
        }
        default -> helperFlags.add(a);
      }
    }
    if (undo && !helperFlags.isEmpty()) {
      throw new ConfigException("setup --undo takes no helper flags\n" + USAGE);
    }
    HelperConfig.parse(helperFlags, env, new ArrayList<>()); // validates the flags
    if (!oneShot && !undo && !Files.isExecutable(relayPath())) {
      System.out.println(
          "progcache: this install has no relay ("
              + relayPath()
              + " is built only where a C"
              + " compiler was found); using the one-shot helper");
      oneShot = true;
    }
    if (print) {
      String value =
          undo ? "" : value(oneShot ? Exec.self() : List.of(relayPath().toString()), helperFlags);
      System.out.println("# progcache: add to ~/.profile, or to your CI job's environment");
      System.out.println("export GOCACHEPROG=" + shellQuote(value));
      return 0;
    }
    Setup s = new Setup(env, findGo(env));
    if (undo) {
      return s.undo(force);
    }
    return s.apply(oneShot, helperFlags, force);
  }

  private static String value(List<String> program, List<String> flags) throws ConfigException {
    List<String> cmd = new ArrayList<>(program);
    cmd.addAll(flags);
    return Exec.goCacheProg(cmd);
  }

  /** This install's relay. */
  private static Path relayPath() {
    return Path.of(Exec.self().getFirst()).toAbsolutePath().resolveSibling("progcache-relay");
  }

  private int apply(boolean oneShot, List<String> flags, boolean force) throws ConfigException {
    StableRelay stable = StableRelay.of(env);
    String value = value(oneShot ? Exec.self() : List.of(stable.relay().toString()), flags);
    String current = goEnv("GOCACHEPROG");
    String mine = marker();
    if (!current.isEmpty() && !current.equals(mine) && !current.equals(value) && !force) {
      throw new ConfigException(
          "go already has GOCACHEPROG="
              + current
              + " (not written by progcache setup); leaving it"
              + " alone. Use --force to replace it.");
    }
    if (oneShot) {
      stable.remove();
    } else {
      stable.install(relayPath());
      System.out.println(
          "progcache: installed the relay "
              + stable.relay()
              + " (daemon mode), following the"
              + " install in "
              + relayPath().getParent().getParent());
    }
    go("env", "-w", "GOCACHEPROG=" + value);
    writeMarker(value);
    System.out.println("progcache: set GOCACHEPROG=" + value);
    System.out.println(
        "  in go's env file "
            + goEnv("GOENV")
            + " (go env -w); every go command now uses progcache.");
    System.out.println("  undo: progcache setup --undo   (or: go env -u GOCACHEPROG)");
    if (env.containsKey("GOCACHEPROG") && !env.get("GOCACHEPROG").isEmpty()) {
      System.out.println(
          "  note: GOCACHEPROG is also set in this shell's environment, which wins over go's env file.");
    }
    return 0;
  }

  private int undo(boolean force) throws ConfigException {
    String current = goEnv("GOCACHEPROG");
    if (current.isEmpty()) {
      System.out.println("progcache: go has no GOCACHEPROG set; nothing to undo");
      deleteMarker();
      return 0;
    }
    if (!current.equals(marker()) && !force) {
      throw new ConfigException(
          "GOCACHEPROG="
              + current
              + " was not written by progcache setup; leaving it alone."
              + " Use --force to remove it.");
    }
    go("env", "-u", "GOCACHEPROG");
    deleteMarker();
    StableRelay.of(env).remove();
    System.out.println(
        "progcache: removed GOCACHEPROG from go's env file; go uses its default cache again");
    return 0;
  }

  private Path markerFile() {
    String cfg = env.get("XDG_CONFIG_HOME");
    Path base =
        cfg != null && !cfg.isEmpty()
            ? Path.of(cfg)
            : Path.of(env.getOrDefault("HOME", "/"), ".config");
    return base.resolve("progcache").resolve("setup-gocacheprog");
  }

  private String marker() {
    try {
      return Files.readString(markerFile(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "";
    }
  }

  private void writeMarker(String value) throws ConfigException {
    Path f = markerFile();
    try {
      Files.createDirectories(f.getParent());
      Path tmp = Files.createTempFile(f.getParent(), ".setup-", "");
      Files.writeString(tmp, value + "\n", StandardCharsets.UTF_8);
      Files.move(
          tmp,
          f,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new ConfigException("cannot record the setup in " + f + ": " + e.getMessage());
    }
  }

  private void deleteMarker() {
    try {
      Files.deleteIfExists(markerFile());
    } catch (IOException e) {
      // harmless
    }
  }

  /** The value go sees in its env file for {@code key} (ignoring this process's environment). */
  private String goEnv(String key) throws ConfigException {
    return go("env", key).strip();
  }

  private String go(String... args) throws ConfigException {
    List<String> cmd = new ArrayList<>();
    cmd.add(go.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("GOCACHEPROG"); // see and change go's env file, not our environment
    try {
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new ConfigException(String.join(" ", cmd) + " failed: " + out.strip());
      }
      return out;
    } catch (IOException e) {
      throw new ConfigException("cannot run " + go + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigException("interrupted");
    }
  }

  private static Path findGo(Map<String, String> env) throws ConfigException {
    for (String dir : env.getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "go"))) {
        return Path.of(dir, "go");
      }
    }
    throw new ConfigException("setup needs the go command on PATH (it runs go env -w)");
  }

  private static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
