package dev.progcache.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Finds go's build cache directory the way the go command does, without running go: {@code
 * $GOCACHE}, else {@code GOCACHE} from go's env file ({@code $GOENV}, default {@code
 * $XDG_CONFIG_HOME/go/env} or {@code ~/.config/go/env}), else {@code $XDG_CACHE_HOME/go-build} or
 * {@code ~/.cache/go-build}.
 */
final class GoEnv {
  private final Map<String, String> env;

  GoEnv(Map<String, String> env) {
    this.env = env;
  }

  /**
   * Returns go's cache directory.
   *
   * @throws ConfigException when it is "off", relative, or cannot be determined
   */
  Path goCache() throws ConfigException {
    String v = nonEmpty(env.get("GOCACHE")).or(this::fromEnvFile).orElse(null);
    String source = "GOCACHE";
    if (v == null) {
      String base = nonEmpty(env.get("XDG_CACHE_HOME")).orElse(null);
      if (base != null && !Path.of(base).isAbsolute()) {
        base = null;
      }
      if (base == null) {
        String home = nonEmpty(env.get("HOME")).orElse(null);
        if (home == null) {
          throw new ConfigException(
              "cannot find go's cache directory: neither GOCACHE, XDG_CACHE_HOME nor HOME is set;"
                  + " set PROGCACHE_DIR or --dir");
        }
        base = home + "/.cache";
      }
      return Path.of(base, "go-build");
    }
    if (v.equals("off")) {
      throw new ConfigException(
          source
              + "=off: go's cache is disabled, so there is no default place for progcache;"
              + " set PROGCACHE_DIR or --dir");
    }
    Path p = Path.of(v);
    if (!p.isAbsolute()) {
      throw new ConfigException(
          source
              + "="
              + v
              + " is not an absolute path (go requires one); fix GOCACHE or set --dir");
    }
    return p;
  }

  private Optional<String> fromEnvFile() {
    String file = env.get("GOENV");
    if ("off".equals(file)) {
      return Optional.empty();
    }
    if (file == null || file.isEmpty()) {
      String cfg = nonEmpty(env.get("XDG_CONFIG_HOME")).orElse(null);
      if (cfg == null) {
        String home = nonEmpty(env.get("HOME")).orElse(null);
        if (home == null) {
          return Optional.empty();
        }
        cfg = home + "/.config";
      }
      file = cfg + "/go/env";
    }
    try {
      for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
        String t = line.strip();
        if (t.startsWith("GOCACHE=")) {
          return nonEmpty(t.substring("GOCACHE=".length()).strip());
        }
      }
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private static Optional<String> nonEmpty(String s) {
    return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
  }
}
