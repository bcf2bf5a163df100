package dev.progcache.cli;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code progcache doctor}: checks the installation and configuration, with fixes. */
final class DoctorCommand implements Admin.Command {
  @Override
  public String name() {
    return "doctor";
  }

  @Override
  public String usage() {
    return """
    usage: progcache doctor [helper flags]

    Checks what breaks or slows builds, one line each, OK, WARN or FAIL, with the fix on the
    next line: the JDK version; every setting (flags, PROGCACHE_* variables, config file)
    parses and the shared-tier settings are usable; the go command and its version; that
    go env GOCACHEPROG starts and answers the handshake; go's cache directory (GOCACHE); the
    progcache directory (writable, free space against max-size); the shared server answers
    and the token may read (and write, unless read-only); the launcher's AOT cache.
    Exit status: 0 no check failed (warnings pass), 1 some failed.
    """;
  }

  @Override
  public boolean toleratesBadConfig() {
    return true;
  }

  @Override
  public int run(Admin.Invocation inv) {
    return Doctor.run(checks(inv, Runtime.version(), launcherArgs()), inv.ctx().out()) == 0 ? 0 : 1;
  }

  /**
   * The checks, in order. Facts about this JVM are parameters so tests can vary them; the config
   * file and go are consulted once, up front, and each check reports on what was found.
   */
  static List<Doctor.Check> checks(Admin.Invocation inv, Runtime.Version jdk, Launch launch) {
    Map<String, String> env = inv.ctx().env();
    HelperConfig cfg = inv.cfg().withConfigFileLeniently();
    DoctorChecks.GoProbe go = DoctorChecks.GoProbe.run(env);
    List<Doctor.Check> checks = new ArrayList<>();
    checks.add(Doctor.check("jdk", () -> DoctorChecks.jdk(jdk)));
    checks.add(Doctor.check("config", () -> DoctorBuildChecks.settings(cfg, env)));
    checks.add(Doctor.check("go", () -> DoctorChecks.go(go)));
    checks.add(Doctor.check("GOCACHEPROG", () -> DoctorBuildChecks.gocacheprog(go, env)));
    checks.add(Doctor.check("daemon socket", () -> DoctorBuildChecks.daemonSocketDir(env)));
    checks.add(Doctor.check("GOCACHE", () -> DoctorChecks.goCache(env, go)));
    checks.add(Doctor.check("cache dir", () -> DoctorChecks.cacheDir(cfg, env)));
    checks.add(Doctor.check("remote", () -> DoctorBuildChecks.remote(cfg, env)));
    checks.add(
        Doctor.check("aot cache", () -> DoctorChecks.aot(launch.jvmArgs(), launch.launcher())));
    return checks;
  }

  /** How this JVM was started. */
  record Launch(List<String> jvmArgs, Optional<String> launcher) {}

  private static Launch launcherArgs() {
    return new Launch(
        ManagementFactory.getRuntimeMXBean().getInputArguments(),
        Optional.ofNullable(System.getProperty("progcache.launcher")));
  }
}
