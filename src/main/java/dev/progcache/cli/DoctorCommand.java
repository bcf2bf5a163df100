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

  /** The checks, in order. Facts about this JVM are parameters so tests can vary them. */
  static List<Doctor.Check> checks(Admin.Invocation inv, Runtime.Version jdk, Launch launch) {
    Map<String, String> env = inv.ctx().env();
    HelperConfig[] cfg = {inv.cfg()};
    DoctorChecks.GoProbe[] go = {null};
    List<Doctor.Check> checks = new ArrayList<>();
    checks.add(Doctor.check("jdk", () -> DoctorChecks.jdk(jdk)));
    checks.add(Doctor.check("config", () -> {
      try {
        cfg[0] = inv.cfg().withConfigFile();
        String file = cfg[0].file().flatMap(ConfigFile::path).map(Object::toString).orElse("none");
        return Doctor.Result.ok("valid (config file " + file + ")");
      } catch (ConfigException e) {
        return Doctor.Result.fail(e.getMessage(), "correct the value named above; progcache config --help lists the keys");
      }
    }));
    checks.add(Doctor.check("go", () -> DoctorChecks.go(go[0] = DoctorChecks.GoProbe.run(env))));
    checks.add(Doctor.check("GOCACHE", () -> DoctorChecks.goCache(env, go[0])));
    checks.add(Doctor.check("cache dir", () -> DoctorChecks.cacheDir(cfg[0], env)));
    checks.add(Doctor.check("aot cache", () -> DoctorChecks.aot(launch.jvmArgs(), launch.launcher())));
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
