package dev.progcache.bundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shell steps of the CI recipes in deploy/ci, read from the files as written: GitLab's {@code
 * variables}, {@code before_script} and {@code script}, GitHub Actions' {@code run} steps with
 * their {@code env}. Enough YAML for these files (block lists, literal blocks, maps).
 */
final class CiRecipes {
  private CiRecipes() {}

  /** One GitHub Actions step that runs a shell script. */
  record Step(String name, Map<String, String> env, String run) {}

  /** The job's shell lines in GitLab's order, a literal block ("- |") as one entry. */
  static List<String> gitlabScript(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    List<String> lines = Files.readAllLines(file);
    for (String key : List.of("before_script:", "script:")) {
      int at = find(lines, key);
      int indent = indent(lines.get(at));
      for (int i = at + 1; i < lines.size() && deeper(lines.get(i), indent); i++) {
        String l = lines.get(i).strip();
        if (l.equals("- |")) {
          StringBuilder b = new StringBuilder();
          int item = indent(lines.get(i));
          for (i++; i < lines.size() && deeper(lines.get(i), item); i++) {
            b.append(lines.get(i).substring(item + 2)).append('\n');
          }
          i--;
          out.add(b.toString());
        } else if (l.startsWith("- ")) {
          out.add(l.substring(2));
        }
      }
    }
    return out;
  }

  /** The job's {@code variables:} map, values as written (GitLab expands them like a shell). */
  static Map<String, String> gitlabVariables(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    return map(lines, find(lines, "variables:"));
  }

  /** The steps with {@code run:}, in order. */
  static List<Step> githubSteps(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    List<Step> out = new ArrayList<>();
    int steps = find(lines, "steps:");
    int indent = indent(lines.get(steps));
    int start = -1;
    for (int i = steps + 1; i <= lines.size(); i++) {
      boolean end = i == lines.size() || !deeper(lines.get(i), indent);
      if (end || lines.get(i).strip().startsWith("- ")) {
        if (start >= 0) {
          step(lines.subList(start, i)).ifPresent(out::add);
        }
        start = i;
      }
      if (end) {
        break;
      }
    }
    return out;
  }

  private static java.util.Optional<Step> step(List<String> lines) {
    String name = "";
    Map<String, String> env = Map.of();
    String run = null;
    int keys = indent(lines.get(0)) + 2;
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      l = l.startsWith("- ") ? l.substring(2) : l;
      if (indent(lines.get(i)) > keys && !lines.get(i).strip().startsWith("- ")) {
        continue;
      }
      if (l.startsWith("name: ")) {
        name = l.substring(6);
      } else if (l.equals("env:")) {
        env = map(lines, i);
      } else if (l.equals("run: |")) {
        StringBuilder b = new StringBuilder();
        for (i++; i < lines.size(); i++) {
          b.append(lines.get(i).substring(Math.min(keys + 2, lines.get(i).length()))).append('\n');
        }
        run = b.toString();
      } else if (l.startsWith("run: ")) {
        run = l.substring(5) + "\n";
      }
    }
    return run == null
        ? java.util.Optional.empty()
        : java.util.Optional.of(new Step(name, env, run));
  }

  private static Map<String, String> map(List<String> lines, int at) {
    Map<String, String> out = new LinkedHashMap<>();
    int indent = indent(lines.get(at));
    for (int i = at + 1; i < lines.size() && deeper(lines.get(i), indent); i++) {
      String l = lines.get(i).strip();
      if (l.startsWith("#")) {
        continue;
      }
      int colon = l.indexOf(": ");
      String v = l.substring(colon + 2).strip();
      out.put(
          l.substring(0, colon),
          v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v);
    }
    return out;
  }

  private static int find(List<String> lines, String key) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals(key)) {
        return i;
      }
    }
    throw new AssertionError("no " + key + " in the recipe");
  }

  private static boolean deeper(String line, int indent) {
    return line.isBlank() || indent(line) > indent;
  }

  private static int indent(String line) {
    int n = 0;
    while (n < line.length() && line.charAt(n) == ' ') {
      n++;
    }
    return n;
  }
}
