package dev.progcache.cli;

import dev.progcache.config.Setting;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The maintenance subcommands ({@code trim}, {@code stats}, {@code verify}, {@code doctor}, {@code
 * config}, {@code prefetch}). Loaded only when one of them runs, never on the GOCACHEPROG path.
 */
final class Admin {
  /** What a subcommand runs with: environment, output streams and clock, all injectable. */
  record Context(Map<String, String> env, PrintStream out, PrintStream err, LongSupplier nowNanos) {
    static Context system() {
      return new Context(System.getenv(), System.out, System.err, Helper::nowNanos);
    }
  }

  /**
   * One invocation: the configuration (flags, environment and file) and the subcommand's own
   * switches that were given.
   */
  record Invocation(HelperConfig cfg, Set<String> switches, Context ctx) {
    boolean has(String sw) {
      return switches.contains(sw);
    }

    /** The cache directory, which must exist. */
    Path existingDir() throws ConfigException {
      Path d = cfg.resolveDir(ctx.env());
      if (!java.nio.file.Files.isDirectory(d)) {
        throw new ConfigException(
            "no cache directory at "
                + d
                + " (nothing cached yet?); name another with --dir or PROGCACHE_DIR");
      }
      return d;
    }
  }

  /** A subcommand. */
  interface Command {
    String name();

    /** Usage text: synopsis, description, own switches. */
    String usage();

    /** The settings this command uses, whose flags its help lists. */
    default List<Setting<?>> settings() {
      return HelperConfig.SETTINGS;
    }

    /** Switches of this command (besides the helper settings), e.g. {@code --dry-run}; none. */
    default Set<String> switches() {
      return Set.of();
    }

    /** Whether a config file error is reported by the command instead of failing it. */
    default boolean toleratesBadConfig() {
      return false;
    }

    /** Runs; returns the exit status. */
    int run(Invocation inv) throws ConfigException, IOException;
  }

  static final List<Command> COMMANDS =
      List.of(
          new TrimCommand(),
          new StatsCommand(),
          new VerifyCommand(),
          new DoctorCommand(),
          new ConfigCommand(),
          new PrefetchCommand());

  private Admin() {}

  /** Runs subcommand {@code name} with {@code args}; bad usage is a {@link ConfigException}. */
  static int run(String name, List<String> args, Context ctx) throws ConfigException {
    Command c = command(name);
    if (Main.asksForHelp(args)) {
      ctx.out().print(usage(name));
      return 0;
    }
    Set<String> given = new HashSet<>();
    List<String> settings = new ArrayList<>();
    for (String a : args) {
      if (c.switches().contains(a)) {
        given.add(a);
      } else {
        settings.add(a);
      }
    }
    List<String> rest = new ArrayList<>();
    HelperConfig cfg;
    String hint = " (progcache " + name + " --help shows the usage)";
    try {
      if (c.toleratesBadConfig()) {
        // the command reports bad values itself; only the command line must be right
        cfg = HelperConfig.lenient(settings, ctx.env());
        if (cfg.hasFlagProblems()) {
          throw new ConfigException(cfg.problems().getFirst().text());
        }
        cfg = cfg.withConfigFileLeniently();
      } else {
        cfg = HelperConfig.parse(settings, ctx.env(), rest);
      }
    } catch (ConfigException e) {
      throw new ConfigException(e.getMessage().lines().findFirst().orElse("") + hint);
    }
    if (!rest.isEmpty()) {
      throw new ConfigException("unexpected argument " + rest.get(0) + hint);
    }
    if (!c.toleratesBadConfig()) {
      cfg = cfg.withConfigFile();
    }
    try {
      return c.run(new Invocation(cfg, Set.copyOf(given), ctx));
    } catch (IOException e) {
      ctx.err().println("progcache " + name + ": " + e.getMessage());
      return 1;
    }
  }

  /** The usage of subcommand {@code name}: its own text and the flags of its settings. */
  static String usage(String name) {
    for (Command c : COMMANDS) {
      if (c.name().equals(name)) {
        return c.usage() + "\n" + HelperConfig.usage(c.settings());
      }
    }
    throw new IllegalArgumentException("no subcommand " + name);
  }

  private static Command command(String name) throws ConfigException {
    for (Command c : COMMANDS) {
      if (c.name().equals(name)) {
        return c;
      }
    }
    throw new ConfigException("unknown subcommand " + name);
  }
}
