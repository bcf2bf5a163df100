package dev.progcache.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The standard checks of {@code progcache doctor}. Each returns a result and never throws. */
final class DoctorChecks {
  static final long MIN_FREE = 1L << 30;

  private DoctorChecks() {}

  /** What {@code go env GOVERSION GOCACHE} said, or why it could not be asked. */
  record GoProbe(
      Optional<Path> go, String version, String goCache, String goCacheProg, String error) {
    /** Runs the first {@code go} on the PATH of {@code env} with that environment. */
    static GoProbe run(Map<String, String> env) {
      Optional<Path> go = onPath(env, "go");
      if (go.isEmpty()) {
        return new GoProbe(go, "", "", "", "no go on PATH");
      }
      ProcessBuilder pb =
          new ProcessBuilder(go.get().toString(), "env", "GOVERSION", "GOCACHE", "GOCACHEPROG");
      pb.environment().clear();
      pb.environment().putAll(env);
      pb.redirectErrorStream(true);
      try {
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] b = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
          p.destroyForcibly();
          return new GoProbe(
              go,
              "",
              "",
              "",
              go.get() + " env failed: " + new String(b, StandardCharsets.UTF_8).strip());
        }
        List<String> lines = new String(b, StandardCharsets.UTF_8).lines().toList();
        return new GoProbe(go, line(lines, 0), line(lines, 1), line(lines, 2), "");
      } catch (IOException e) {
        return new GoProbe(go, "", "", "", "cannot run " + go.get() + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new GoProbe(go, "", "", "", "interrupted");
      }
    }
  }

  private static String line(List<String> lines, int i) {
    return lines.size() > i ? lines.get(i) : "";
  }

  static Doctor.Result jdk(Runtime.Version v) {
    String what = "JDK " + v + " (" + System.getProperty("java.vendor", "?") + ")";
    if (v.feature() < 25) {
      return Doctor.Result.fail(
          what + " is too old", "install JDK 25 or newer and set JAVA_HOME to it");
    }
    return Doctor.Result.ok(what);
  }

  static Doctor.Result go(GoProbe probe) {
    if (!probe.error().isEmpty()) {
      return Doctor.Result.fail(
          probe.error(),
          "install go 1.24 or newer (GOCACHEPROG needs it) and put its bin directory on PATH");
    }
    String v = probe.version();
    int minor = minor(v);
    if (minor < 24) {
      return Doctor.Result.fail(
          v + " at " + probe.go().orElseThrow() + " does not support GOCACHEPROG",
          "install go 1.24 or newer and put it first on PATH");
    }
    return Doctor.Result.ok(v + " at " + probe.go().orElseThrow());
  }

  static Doctor.Result goCache(Map<String, String> env, GoProbe probe) {
    Path ours;
    try {
      ours = new GoEnv(env).goCache();
    } catch (ConfigException e) {
      return Doctor.Result.fail(
          e.getMessage(), "set GOCACHE to an absolute directory, or the cache dir with --dir");
    }
    if (!probe.goCache().isEmpty() && !Path.of(probe.goCache()).equals(ours)) {
      return Doctor.Result.fail(
          "go uses GOCACHE=" + probe.goCache() + " but progcache computed " + ours,
          "set GOCACHE=" + probe.goCache() + " in the environment so both agree");
    }
    return Doctor.Result.ok(ours.toString());
  }

  /** The cache directory exists or can be made, is writable, and has room. */
  static Doctor.Result cacheDir(HelperConfig cfg, Map<String, String> env) {
    Path dir;
    try {
      dir = cfg.resolveDir(env);
    } catch (ConfigException e) {
      return Doctor.Result.fail(
          e.getMessage(), "set the cache directory with --dir or PROGCACHE_DIR");
    }
    String fix =
        "make "
            + dir
            + " a directory writable by this user, or choose another with --dir or PROGCACHE_DIR";
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".tmp-doctor-", "");
      Files.delete(probe);
    } catch (IOException | UnsupportedOperationException e) {
      String why =
          e instanceof IOException io ? dev.progcache.disk.IoText.reason(io) : "not supported here";
      return Doctor.Result.fail("cannot write to " + dir + ": " + why, fix);
    }
    long free;
    try {
      free = Files.getFileStore(dir).getUsableSpace();
    } catch (IOException e) {
      return Doctor.Result.fail(
          "cannot read the free space of " + dir + ": " + e.getMessage(), fix);
    }
    long cap = cfg.trimPolicy().maxBytes();
    String what = dir + " is writable, " + TrimText.bytes(free) + " free";
    if (free < MIN_FREE) {
      return Doctor.Result.fail(
          what, "free disk space on " + dir + " (builds need room), or move the cache with --dir");
    }
    if (cap == 0 || cap > free) {
      return Doctor.Result.fail(
          what
              + ", but the cache may grow to "
              + (cap == 0 ? "any size (max-size off)" : TrimText.bytes(cap)),
          "set max-size below the free space, e.g. progcache config shows where it is set;"
              + " PROGCACHE_MAX_SIZE="
              + Math.max(1, free / 2 >> 30)
              + "G");
    }
    return Doctor.Result.ok(what + ", trimmed to " + TrimText.bytes(cap));
  }

  /**
   * The launcher and its AOT cache (each helper start is slower without it).
   *
   * @param jvmArgs this JVM's options
   * @param launcher the launcher that started this JVM, if any
   */
  static Doctor.Result aot(List<String> jvmArgs, Optional<String> launcher) {
    if (launcher.isEmpty()) {
      return Doctor.Result.fail(
          "not started by the bin/progcache launcher",
          "run progcache through bin/progcache of the distribution: it adds the AOT cache and JVM"
              + " flags");
    }
    for (String a : jvmArgs) {
      if (a.startsWith("-XX:AOTCache=")) {
        Path aot = Path.of(a.substring("-XX:AOTCache=".length()));
        return Files.isRegularFile(aot)
            ? Doctor.Result.ok(aot + " (used by " + launcher.get() + ")")
            : Doctor.Result.fail(
                "the AOT cache " + aot + " is gone", reinstall(aot, launcher.get()));
      }
    }
    Path aot =
        Path.of(launcher.get())
            .toAbsolutePath()
            .getParent()
            .resolveSibling("lib")
            .resolve("progcache.aot");
    return Doctor.Result.fail(
        "the launcher " + launcher.get() + " found no AOT cache (each helper start is slower)",
        reinstall(aot, launcher.get()));
  }

  private static String reinstall(Path aot, String launcher) {
    return "rebuild the distribution, or train it: PROGCACHE_JAVA_OPTS=-XX:AOTCacheOutput="
        + aot
        + " "
        + launcher
        + " __train 3";
  }

  static Optional<Path> onPath(Map<String, String> env, String name) {
    for (String d : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!d.isEmpty()
          && Files.isExecutable(Path.of(d, name))
          && !Files.isDirectory(Path.of(d, name))) {
        return Optional.of(Path.of(d, name).toAbsolutePath());
      }
    }
    return Optional.empty();
  }

  private static int minor(String goVersion) {
    if (!goVersion.startsWith("go1.")) {
      return goVersion.startsWith("devel") ? Integer.MAX_VALUE : -1;
    }
    String digits = goVersion.substring(4).split("[^0-9]", 2)[0];
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
