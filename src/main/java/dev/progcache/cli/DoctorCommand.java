package dev.progcache.cli;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code progcache doctor}: checks the installation and configuration, with fixes. */
final class DoctorCommand implements Admin.Command {
  @Override
  public String name() {
    return "doctor";
  }

  @Override
  public String usage() {
    return """
    usage: progcache doctor [--dir DIR]

    Checks, one line each, OK or FAIL with the fix on the next line: the JDK version, the
    configuration (flags, PROGCACHE_* variables, config file), the go command and its
    version, go's cache directory (GOCACHE), the progcache directory (writable, free space
    against max-size), and the launcher's AOT cache.
    Exit status: 0 all checks pass, 1 some failed.
    """;
  }

  @Override
  public Set<String> switches() {
    return Set.of();
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
    HelperConfig cfg = inv.cfg();
    Doctor.Result config;
    try {
      cfg = cfg.withConfigFile();
      String file = cfg.file().flatMap(ConfigFile::path).map(Object::toString).orElse("none");
      config = Doctor.Result.ok("valid (config file " + file + ")");
    } catch (ConfigException e) {
      config =
          Doctor.Result.fail(
              e.getMessage(),
              "correct the value named above; progcache config --help lists the keys");
    }
    DoctorChecks.GoProbe go = DoctorChecks.GoProbe.run(env);
    HelperConfig effective = cfg;
    Doctor.Result configResult = config;
    List<Doctor.Check> checks = new ArrayList<>();
    checks.add(Doctor.check("jdk", () -> DoctorChecks.jdk(jdk)));
    checks.add(Doctor.check("config", () -> configResult));
    checks.add(Doctor.check("go", () -> DoctorChecks.go(go)));
    checks.add(Doctor.check("GOCACHE", () -> DoctorChecks.goCache(env, go)));
    checks.add(Doctor.check("cache dir", () -> DoctorChecks.cacheDir(effective, env)));
    checks.add(
        Doctor.check("aot cache", () -> DoctorChecks.aot(launch.jvmArgs(), launch.launcher())));
    // Shared tiers add their checks (reachable, authorised) here.
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
