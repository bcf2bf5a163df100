package dev.progcache.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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

    Prints every setting's effective value and where it came from: a flag (--key), the
    environment (PROGCACHE_KEY), the config file (path:line), or the default. Secret values
    are shown as <redacted>. With helper flags, shows what a helper with those flags would use.

    The config file is $PROGCACHE_CONFIG, else $XDG_CONFIG_HOME/progcache/config.toml, else
    ~/.config/progcache/config.toml: lines of key = "value" (TOML; # starts a comment), e.g.
        max-size = "20G"
        max-age = "7d"
    Exit status: 0, or 2 when a value is bad (the message names the key and the accepted form).
    """;
  }

  @Override
  public Set<String> switches() {
    return Set.of();
  }

  @Override
  public int run(Admin.Invocation inv) throws ConfigException {
    PrintStream out = inv.ctx().out();
    HelperConfig cfg = inv.cfg();
    out.println(row("KEY", "VALUE", "SOURCE"));
    for (Config.Value v : cfg.config().all()) {
      out.println(row(v.setting().key(), v.shown(), v.origin()));
    }
    out.println();
    Optional<Path> file = cfg.file().flatMap(ConfigFile::path);
    out.println(
        "config file: "
            + file.map(p -> p + (Files.isRegularFile(p) ? "" : " (not present)"))
                .orElse("none (no HOME)"));
    out.println("cache directory: " + cfg.resolveDir(inv.ctx().env()));
    return 0;
  }

  private static String row(String key, String value, String source) {
    return String.format(Locale.ROOT, "%-16s %-24s %s", key, value, source);
  }
}
