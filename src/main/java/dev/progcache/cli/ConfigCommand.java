package dev.progcache.cli;

import dev.progcache.config.Config;
import dev.progcache.config.Problem;
import dev.progcache.server.ServeConfig;
import dev.progcache.server.ServeException;
import dev.progcache.server.ServeSettings;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code progcache config}: the effective configuration and where each value came from. */
final class ConfigCommand implements Admin.Command {
  @Override
  public String name() {
    return "config";
  }

  @Override
  public String usage() {
    return """
    usage: progcache config [helper flags]
           progcache config --serve

    Prints every setting's effective value and where it came from: a flag (--key), the
    environment (PROGCACHE_KEY), the config file (path:line), or the default. Secrets (the
    token, a password in a URL) are shown only as <set> or <unset>. With helper flags, shows
    what a helper with those flags would use. With --serve, the same for progcache serve's
    settings: its PROGCACHE_SERVE_* variables, the [serve] table, the defaults (serve --help
    lists them).

    The config file is $PROGCACHE_CONFIG, else $XDG_CONFIG_HOME/progcache/config.toml, else
    ~/.config/progcache/config.toml, in TOML (# starts a comment; server settings go in a
    [serve] table), e.g.
        max-size = "20G"
        max-age = 7d
    Exit status: 0; 2 when a value is bad or the shared tier would be refused, or, with
    --serve, the server would not start (each problem is printed on stderr naming the
    setting, the value and where it was given).
    """;
  }

  @Override
  public Set<String> switches() {
    return Set.of("--serve");
  }

  @Override
  public boolean toleratesBadConfig() {
    return true;
  }

  @Override
  public int run(Admin.Invocation inv) throws ConfigException {
    if (inv.has("--serve")) {
      return serve(inv.ctx());
    }
    PrintStream out = inv.ctx().out();
    HelperConfig cfg = inv.cfg();
    print(out, cfg.config());
    out.println();
    Optional<Path> file = cfg.file().flatMap(ConfigFile::path);
    out.println(
        "config file: "
            + file.map(p -> p + (Files.isRegularFile(p) ? "" : " (not present)"))
                .orElse("none (no HOME)"));
    out.println("cache directory: " + cfg.resolveDir(inv.ctx().env()));
    List<String> problems = problems(cfg, inv.ctx().env());
    problems.forEach(p -> inv.ctx().err().println("progcache config: " + p));
    return problems.isEmpty() ? 0 : 2;
  }

  /**
   * What the helper would refuse or replace: bad values, unknown keys, and shared-tier settings it
   * would turn the tier off for (a URL it cannot use, both --remote and --s3, ...).
   */
  static List<String> problems(HelperConfig cfg, Map<String, String> env) {
    List<String> out = new ArrayList<>();
    for (Problem p : cfg.problems()) {
      out.add(p.text() + " (the helper: " + p.consequence() + ")");
    }
    if (!cfg.sharedTierOff()) {
      try {
        RemoteSettings.from(cfg, env);
      } catch (ConfigException e) {
        out.add(e.getMessage() + " (the helper: the shared tier is off)");
      }
    }
    return out;
  }

  /** One row per setting: its key (a secret: its variable), value (secrets hidden), origin. */
  private static void print(PrintStream out, Config c) {
    out.println(row("KEY", "VALUE", "SOURCE"));
    for (Config.Value v : c.all()) {
      String key = v.setting().outsideEnvironment() ? v.setting().key() : v.setting().env();
      out.println(row(key, v.shown(), v.origin()));
    }
  }

  /**
   * serve's settings from its variables and the [serve] table, and whatever would stop it from
   * starting: a bad value, an unknown key, settings that do not go together.
   */
  private static int serve(Admin.Context ctx) {
    List<String> problems = new ArrayList<>();
    try {
      Map<String, Map.Entry<String, String>> table = ConfigFile.serveTable(ctx.env());
      Config c = ServeSettings.effective(ctx.env(), table);
      print(ctx.out(), c);
      c.problems().forEach(p -> problems.add(p.text()));
      if (problems.isEmpty()) {
        ServeConfig.parse(List.of(), ctx.env(), table); // the checks across settings
      }
    } catch (ConfigException | ServeException e) {
      problems.add(e.getMessage());
    }
    problems.forEach(
        p -> ctx.err().println("progcache config: " + p + " (progcache serve would not start)"));
    return problems.isEmpty() ? 0 : 2;
  }

  private static String row(String key, String value, String source) {
    return String.format(Locale.ROOT, "%-24s %-24s %s", key, value, source);
  }
}
