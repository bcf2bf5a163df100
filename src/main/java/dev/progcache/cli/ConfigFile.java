package dev.progcache.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The config file: a subset of TOML with top-level {@code key = value} lines, {@code #} comments,
 * and values that are quoted strings ({@code "..."} with escapes, or {@code '...'}), integers or
 * booleans. Tables and arrays are not supported.
 *
 * <p>Where: {@code $PROGCACHE_CONFIG}, else {@code $XDG_CONFIG_HOME/progcache/config.toml}, else
 * {@code ~/.config/progcache/config.toml}. A missing file is an empty one. Immutable.
 *
 * @param path the file (it may not exist), empty when no location can be determined
 * @param values raw values by key, in file order
 */
record ConfigFile(Optional<Path> path, Map<String, Line> values) {
  /** A value and where it was written. */
  record Line(String raw, String origin) {}

  static final String ENV = "PROGCACHE_CONFIG";

  /** No file at all. */
  static ConfigFile none() {
    return new ConfigFile(Optional.empty(), Map.of());
  }

  /** Where the config file is for this environment. */
  static Optional<Path> locate(Map<String, String> env) {
    String explicit = env.get(ENV);
    if (explicit != null && !explicit.isEmpty()) {
      return Optional.of(Path.of(explicit).toAbsolutePath());
    }
    String xdg = env.get("XDG_CONFIG_HOME");
    if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
      return Optional.of(Path.of(xdg, "progcache", "config.toml"));
    }
    String home = env.get("HOME");
    if (home != null && !home.isEmpty()) {
      return Optional.of(Path.of(home, ".config", "progcache", "config.toml"));
    }
    return Optional.empty();
  }

  /**
   * Reads the config file for {@code env}.
   *
   * @throws ConfigException when it exists but cannot be read or parsed; the message names the file
   *     and line
   */
  static ConfigFile load(Map<String, String> env) throws ConfigException {
    Optional<Path> p = locate(env);
    if (p.isEmpty()) {
      return none();
    }
    String text;
    try {
      text = Files.readString(p.get(), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      if (env.containsKey(ENV) && !env.get(ENV).isEmpty()) {
        throw new ConfigException(
            ENV + "=" + env.get(ENV) + ": no such file; create it or unset " + ENV);
      }
      return new ConfigFile(p, Map.of());
    } catch (CharacterCodingException e) {
      throw new ConfigException(p.get() + ": not UTF-8 text; save it as UTF-8");
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + p.get() + ": " + e.getMessage());
    }
    return parse(p.get(), text);
  }

  /** Parses {@code text} as the content of {@code file}. */
  static ConfigFile parse(Path file, String text) throws ConfigException {
    Map<String, Line> values = new LinkedHashMap<>();
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String origin = file + ":" + (i + 1);
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("[")) {
        throw new ConfigException(
            origin + ": tables like " + line + " are not supported; write key = value at the top");
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(origin + ": expected key = value, got: " + line);
      }
      String key = unquoteKey(line.substring(0, eq).strip(), origin);
      String raw = value(line.substring(eq + 1).strip(), key, origin);
      if (values.putIfAbsent(key, new Line(raw, origin)) != null) {
        throw new ConfigException(
            origin + ": " + key + " is set twice (first at " + values.get(key).origin() + ")");
      }
    }
    return new ConfigFile(Optional.of(file), Map.copyOf(values));
  }

  private static String unquoteKey(String k, String origin) throws ConfigException {
    if (k.length() >= 2 && (k.startsWith("\"") && k.endsWith("\""))) {
      k = k.substring(1, k.length() - 1);
    }
    if (k.isEmpty()
        || !k.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
      throw new ConfigException(
          origin + ": bad key \"" + k + "\"; keys are letters, digits, - and _");
    }
    return k;
  }

  private static String value(String v, String key, String origin) throws ConfigException {
    if (v.startsWith("\"")) {
      return basicString(v, origin);
    }
    if (v.startsWith("'")) {
      int end = v.indexOf('\'', 1);
      if (end < 0) {
        throw new ConfigException(origin + ": unterminated string");
      }
      trailing(v.substring(end + 1), origin);
      return v.substring(1, end);
    }
    int hash = v.indexOf('#');
    String bare = (hash >= 0 ? v.substring(0, hash) : v).strip();
    if (bare.equals("true") || bare.equals("false") || bare.matches("[+-]?[0-9][0-9_]*")) {
      return bare.replace("_", "");
    }
    throw new ConfigException(
        origin + ": the value of " + key + " must be quoted: " + key + " = \"" + bare + "\"");
  }

  private static String basicString(String v, String origin) throws ConfigException {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '"') {
        trailing(v.substring(i + 1), origin);
        return b.toString();
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (++i >= v.length()) {
        break;
      }
      switch (v.charAt(i)) {
        case '"' -> b.append('"');
        case '\\' -> b.append('\\');
        case 'n' -> b.append('\n');
        case 't' -> b.append('\t');
        default -> throw new ConfigException(origin + ": unsupported escape \\" + v.charAt(i));
      }
    }
    throw new ConfigException(origin + ": unterminated string");
  }

  private static void trailing(String rest, String origin) throws ConfigException {
    String r = rest.strip();
    if (!r.isEmpty() && !r.startsWith("#")) {
      throw new ConfigException(origin + ": unexpected text after the value: " + r);
    }
  }
}
