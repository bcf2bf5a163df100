package dev.progcache.cli;

import dev.progcache.config.Config.Line;
import dev.progcache.config.Problem;
import dev.progcache.config.Setting;
import dev.progcache.disk.IoText;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The config file, TOML as far as settings need it: {@code key = value} lines, {@code #} comments,
 * tables ({@code [serve]} holds the server's settings), and values that are strings ({@code "..."}
 * with escapes, or {@code '...'}), integers, booleans, or, beyond TOML, a bare word such as {@code
 * 20G}. Arrays and inline tables are not settings' values and are reported.
 *
 * <p>Where: {@code $PROGCACHE_CONFIG}, else {@code $XDG_CONFIG_HOME/progcache/config.toml}, else
 * {@code ~/.config/progcache/config.toml}. A missing file is an empty one and costs one failed
 * open. A line that cannot be read is a {@link Problem}, not a failure: the helper goes on without
 * it. Immutable.
 *
 * @param path the file (it may not exist), empty when no location can be determined
 * @param values raw values by key, in file order; keys of a table are {@code table.key}
 * @param problems lines that were skipped, and why
 */
record ConfigFile(Optional<Path> path, Map<String, Line> values, List<Problem> problems) {
  static final String ENV = "PROGCACHE_CONFIG";

  /** The tables a file may have besides the top level (helper settings). */
  static final Set<String> TABLES = Set.of("serve");

  /** No file at all. */
  static ConfigFile none() {
    return new ConfigFile(Optional.empty(), Map.of(), List.of());
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

  /** Reads the config file for {@code env}; what cannot be read is in {@link #problems}. */
  static ConfigFile load(Map<String, String> env) {
    Optional<Path> p = locate(env);
    if (p.isEmpty()) {
      return none();
    }
    String text;
    try {
      text = Files.readString(p.get(), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      if (env.containsKey(ENV) && !env.get(ENV).isEmpty()) {
        return unreadable(
            p.get(), ENV + "=" + env.get(ENV) + ": no such file; create it or unset " + ENV);
      }
      return new ConfigFile(p, Map.of(), List.of());
    } catch (CharacterCodingException e) {
      return unreadable(p.get(), p.get() + ": not UTF-8 text; save it as UTF-8");
    } catch (IOException e) {
      return unreadable(p.get(), "cannot read config file " + IoText.describe(e, p.get()));
    }
    return parse(p.get(), text);
  }

  private static ConfigFile unreadable(Path p, String text) {
    return new ConfigFile(
        Optional.of(p), Map.of(), List.of(new Problem(text, "the file is ignored", false)));
  }

  /**
   * What is wrong with the keys of this file for {@code settings} (the helper's, at the top level):
   * a key that is no setting, a key of an unknown table, a secret (environment only). Keys of the
   * known tables ({@link #TABLES}) are another command's and are not looked at.
   */
  List<Problem> keyProblems(List<Setting<?>> settings) {
    List<Problem> problems = new ArrayList<>();
    for (Map.Entry<String, Line> e : values.entrySet()) {
      String k = e.getKey();
      int dot = k.indexOf('.');
      if (dot > 0 && TABLES.contains(k.substring(0, dot))) {
        continue; // another command's table
      }
      Setting<?> s = null;
      for (Setting<?> each : settings) {
        s = each.key().equals(k) ? each : s;
      }
      if (dot > 0) {
        problems.add(
            Problem.ignored(
                e.getValue().origin()
                    + ": unknown table ["
                    + k.substring(0, dot)
                    + "]; helper settings go at the top, server settings under [serve]"));
      } else if (s == null) {
        problems.add(
            Problem.ignored(
                e.getValue().origin() + ": unknown key " + k + "; known keys: " + keys(settings)));
      } else if (!s.outsideEnvironment()) {
        problems.add(
            Problem.ignored(
                e.getValue().origin()
                    + ": "
                    + k
                    + " is a secret and is read only from the environment ("
                    + s.env()
                    + ")"));
      }
    }
    return problems;
  }

  private static String keys(List<Setting<?>> settings) {
    List<String> k = new ArrayList<>();
    for (Setting<?> s : settings) {
      if (s.outsideEnvironment()) {
        k.add(s.key());
      }
    }
    return String.join(", ", k);
  }

  /**
   * The {@code [serve]} table of the config file for {@code env}: values by key, each with where it
   * was written.
   *
   * @throws ConfigException when the file has a problem (the server must not guess)
   */
  static Map<String, Map.Entry<String, String>> serveTable(Map<String, String> env)
      throws ConfigException {
    ConfigFile f = load(env);
    if (!f.problems().isEmpty()) {
      throw new ConfigException(f.problems().getFirst().text());
    }
    Map<String, Map.Entry<String, String>> out = new LinkedHashMap<>();
    f.values()
        .forEach(
            (k, line) -> {
              if (k.startsWith("serve.")) {
                out.put(k.substring(6), Map.entry(line.raw(), line.origin()));
              }
            });
    return out;
  }

  /** Parses {@code text} as the content of {@code file}. */
  static ConfigFile parse(Path file, String text) {
    Map<String, Line> values = new LinkedHashMap<>();
    List<Problem> problems = new ArrayList<>();
    List<String> lines = text.lines().toList();
    String table = "";
    for (int i = 0; i < lines.size(); i++) {
      String origin = file + ":" + (i + 1);
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        if (line.startsWith("[")) {
          table = table(line, origin);
          continue;
        }
        int eq = line.indexOf('=');
        if (eq <= 0) {
          throw new ConfigException(origin + ": expected key = value, got: " + line);
        }
        String key = unquoteKey(line.substring(0, eq).strip(), origin);
        String raw = value(line.substring(eq + 1).strip(), key, origin);
        String full = table.isEmpty() ? key : table + "." + key;
        Line was = values.putIfAbsent(full, new Line(raw, origin));
        if (was != null) {
          throw new ConfigException(
              origin + ": " + full + " is set twice (first at " + was.origin() + ")");
        }
      } catch (ConfigException e) {
        problems.add(Problem.ignored(e.getMessage()));
      }
    }
    return new ConfigFile(Optional.of(file), Map.copyOf(values), List.copyOf(problems));
  }

  /** The table a {@code [name]} line opens; an unknown one is reported and its keys kept apart. */
  private static String table(String line, String origin) throws ConfigException {
    int end = line.indexOf(']');
    if (end < 0 || line.startsWith("[[")) {
      throw new ConfigException(origin + ": expected a table header like [serve], got: " + line);
    }
    trailing(line.substring(end + 1), origin);
    String name = line.substring(1, end).strip();
    if (!TABLES.contains(name)) {
      // keys under it are stored as name.key and reported as unknown keys by the model
      return name.isEmpty() ? "?" : name;
    }
    return name;
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
    if (v.startsWith("[") || v.startsWith("{")) {
      throw new ConfigException(
          origin + ": " + key + " takes one value, not an array or table: " + v);
    }
    int hash = v.indexOf('#');
    String bare = (hash >= 0 ? v.substring(0, hash) : v).strip();
    if (bare.isEmpty()) {
      throw new ConfigException(origin + ": " + key + " has no value");
    }
    // TOML numbers may have _ between digits; bare words (20G, 5d) are kept as written
    return bare.matches("[+-]?[0-9][0-9_]*") ? bare.replace("_", "") : bare;
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
