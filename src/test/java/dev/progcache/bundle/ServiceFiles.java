package dev.progcache.bundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the files in deploy/ tell a service manager to run: the command line and the environment of
 * {@code progcache serve}, read from the systemd unit, the Containerfile and the Kubernetes
 * Deployment as written (no copy of them in the tests).
 */
final class ServiceFiles {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private ServiceFiles() {}

  /** A command line and its environment. Secret references are kept as "secret:NAME/KEY". */
  record Launch(List<String> command, Map<String, String> env) {}

  /** ExecStart= and Environment= of the unit's [Service] section. */
  static Launch systemd(Path unit) throws IOException {
    List<String> command = List.of();
    Map<String, String> env = new LinkedHashMap<>();
    boolean service = false;
    for (String line : Files.readAllLines(unit)) {
      String l = line.strip();
      if (l.startsWith("[")) {
        service = l.equals("[Service]");
      } else if (service && l.startsWith("ExecStart=")) {
        command = List.of(l.substring("ExecStart=".length()).split("\\s+"));
      } else if (service && l.startsWith("Environment=")) {
        String kv = unquote(l.substring("Environment=".length()));
        int eq = kv.indexOf('=');
        env.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    return new Launch(command, env);
  }

  /** The Containerfile's instructions, continuation lines joined: e.g. "ENV" to its arguments. */
  static List<Map.Entry<String, String>> containerfile(Path file) throws IOException {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (String line : Files.readAllLines(file)) {
      if (cur.isEmpty() && (line.isBlank() || line.strip().startsWith("#"))) {
        continue;
      }
      if (line.endsWith("\\")) {
        cur.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      cur.append(line);
      String s = cur.toString().strip();
      cur.setLength(0);
      int sp = s.indexOf(' ');
      out.add(Map.entry(s.substring(0, sp), s.substring(sp + 1).strip()));
    }
    return out;
  }

  /** ENTRYPOINT + CMD (exec form) and the ENV pairs of a Containerfile. */
  static Launch container(Path file) throws IOException {
    List<String> command = new ArrayList<>();
    List<String> cmd = List.of();
    Map<String, String> env = new LinkedHashMap<>();
    for (Map.Entry<String, String> i : containerfile(file)) {
      switch (i.getKey()) {
        case "ENTRYPOINT" -> command.addAll(jsonArray(i.getValue()));
        case "CMD" -> cmd = jsonArray(i.getValue());
        case "ENV" -> {
          for (String kv : i.getValue().split("\\s+")) {
            int eq = kv.indexOf('=');
            env.put(kv.substring(0, eq), unquote(kv.substring(eq + 1)));
          }
        }
        default -> {}
      }
    }
    command.addAll(cmd);
    return new Launch(command, env);
  }

  /** The exec-form command of the Containerfile's HEALTHCHECK. */
  static List<String> healthcheck(Path file) throws IOException {
    for (Map.Entry<String, String> i : containerfile(file)) {
      if (i.getKey().equals("HEALTHCHECK")) {
        String v = i.getValue();
        return jsonArray(v.substring(v.indexOf("CMD ") + 4));
      }
    }
    throw new AssertionError("no HEALTHCHECK in " + file);
  }

  /**
   * The first container's command + args and env of a Deployment written as in deploy/kubernetes.
   */
  static Launch kubernetes(Path deployment) throws IOException {
    List<String> lines = Files.readAllLines(deployment);
    List<String> command = new ArrayList<>();
    Map<String, String> env = new LinkedHashMap<>();
    Pattern item = Pattern.compile("^(\\s*)- name: (\\S+)$");
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.startsWith("command: ") || l.startsWith("args: ")) {
        command.addAll(jsonArray(l.substring(l.indexOf(':') + 1)));
      } else if (l.equals("env:")) {
        int indent = lines.get(i).indexOf('e');
        String name = null;
        String secret = null;
        for (i++; i < lines.size() && lines.get(i).indexOf(lines.get(i).strip()) > indent; i++) {
          String e = lines.get(i).strip();
          Matcher m = item.matcher(lines.get(i));
          if (m.matches() && m.group(1).length() == indent + 2) {
            name = m.group(2);
          } else if (e.startsWith("value: ")) {
            env.put(name, unquote(e.substring("value: ".length())));
          } else if (e.startsWith("name: ")) {
            secret = e.substring("name: ".length());
          } else if (e.startsWith("key: ")) {
            env.put(name, "secret:" + secret + "/" + e.substring("key: ".length()));
          }
        }
        i--;
      }
    }
    return new Launch(command, env);
  }

  private static List<String> jsonArray(String s) {
    return List.of(JSON.readValue(s.strip(), String[].class));
  }

  private static String unquote(String s) {
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")
        ? s.substring(1, s.length() - 1)
        : s;
  }
}
