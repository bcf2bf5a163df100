import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Reads the JUnit XML reports (surefire and failsafe) and the RELIABILITY lines the long tests
 * print, and prints two tables: per numbered scenario (tests, failed, slowest test),
 * and the figures of the repeated and load runs (runs, failures, worst latency). Writes the same
 * text to the output file.
 *
 * <p>Usage: java bench/ReliabilityReport.java OUT.md REPORT_DIR...
 */
public final class ReliabilityReport {
  private static final Pattern SCENARIO = Pattern.compile("^(?:s|case)(\\d+)_");
  private static final Pattern FIGURES = Pattern.compile("RELIABILITY scenario=(\\S+)((?: \\w+=\\S*)*)");
  private static final Map<Integer, String> TITLES = titles();

  record TestCase(String className, String name, double seconds, String status) {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: java bench/ReliabilityReport.java OUT.md REPORT_DIR...");
      System.exit(2);
    }
    List<TestCase> cases = new ArrayList<>();
    Map<String, Map<String, String>> figures = new TreeMap<>();
    int files = 0;
    for (int i = 1; i < args.length; i++) {
      Path dir = Path.of(args[i]);
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> s = Files.list(dir)) {
        for (Path p : s.filter(f -> f.getFileName().toString().matches("TEST-.*\\.xml")).sorted().toList()) {
          read(p, cases, figures);
          files++;
        }
      }
    }
    if (files == 0) {
      System.err.println("reliability-report: no TEST-*.xml under " + List.of(args).subList(1, args.length)
          + "; run ./mvnw -B verify (or bench/soak.sh) first");
      System.exit(1);
    }
    String text = render(cases, figures, files);
    System.out.print(text);
    Path out = Path.of(args[0]);
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    Files.writeString(out, text, StandardCharsets.UTF_8);
    System.err.println("reliability-report: wrote " + out);
  }

  private static void read(Path xml, List<TestCase> cases, Map<String, Map<String, String>> figures)
      throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Element root = f.newDocumentBuilder().parse(xml.toFile()).getDocumentElement();
    NodeList tcs = root.getElementsByTagName("testcase");
    for (int i = 0; i < tcs.getLength(); i++) {
      Element tc = (Element) tcs.item(i);
      String status = "passed";
      if (tc.getElementsByTagName("failure").getLength() > 0 || tc.getElementsByTagName("error").getLength() > 0) {
        status = "failed";
      } else if (tc.getElementsByTagName("skipped").getLength() > 0) {
        status = "skipped";
      }
      String cls = tc.getAttribute("classname");
      cases.add(new TestCase(cls.substring(cls.lastIndexOf('.') + 1), tc.getAttribute("name"), seconds(tc.getAttribute("time")), status));
      NodeList outs = tc.getElementsByTagName("system-out");
      for (int j = 0; j < outs.getLength(); j++) {
        Matcher m = FIGURES.matcher(outs.item(j).getTextContent());
        while (m.find()) {
          Map<String, String> kv = new LinkedHashMap<>();
          for (String pair : m.group(2).trim().split(" ")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
              kv.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
          }
          kv.put("test", status);
          figures.put(m.group(1), kv); // the last line of a scenario wins
        }
      }
    }
  }

  private static double seconds(String s) {
    try {
      return Double.parseDouble(s.replace(",", ""));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String render(List<TestCase> cases, Map<String, Map<String, String>> figures, int files) {
    StringBuilder b = new StringBuilder();
    b.append("# Reliability report\n\n");
    b.append("Generated ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
        .append(" from ").append(files).append(" test reports (").append(cases.size())
        .append(" tests) on a ").append(Runtime.getRuntime().availableProcessors())
        .append("-core machine. A test counts for a numbered scenario\n")
        .append("when its name starts with `sNN_` or `caseNN_`.\n\n");
    b.append("## Figures of the repeated and load runs\n\n");
    b.append("| run | what | runs | failures | worst latency | result | details |\n|---|---|---:|---:|---:|---|---|\n");
    if (figures.isEmpty()) {
      b.append("| — | no RELIABILITY lines in these reports | | | | | |\n");
    }
    figures.forEach(
        (name, kv) -> {
          Map<String, String> rest = new LinkedHashMap<>(kv);
          String runs = rest.remove("runs");
          String failures = rest.remove("failures");
          String worst = rest.remove("worst_ms");
          String test = rest.remove("test");
          rest.remove("at");
          StringBuilder d = new StringBuilder();
          rest.forEach((k, v) -> d.append(d.isEmpty() ? "" : ", ").append(k).append('=').append(v));
          b.append("| ").append(name).append(" | ").append(runLabel(name)).append(" | ").append(runs)
              .append(" | ").append(failures).append(" | ").append(worst).append(" ms | ")
              .append(test).append(" | ").append(d).append(" |\n");
        });
    b.append("\nruns: kills (s15, s15-serve), builds (s34), requests (s35), cases (s36, s49). failures: corrupt\n")
        .append("hits or reads, lost acknowledged PUTs, build errors, hangs, and requests failed outside the\n")
        .append("restart window. worst latency: the slowest verifying get (s15), acknowledged PUT (s15-serve),\n")
        .append("go build (s34), request (s35) or case (s36, s49).\n");
    b.append("\n## Scenarios\n\n");
    b.append("| # | scenario | tests | failed | skipped | slowest test |\n|---:|---|---:|---:|---:|---:|\n");
    Map<Integer, List<TestCase>> by = new TreeMap<>();
    for (TestCase c : cases) {
      Matcher m = SCENARIO.matcher(c.name());
      if (m.find()) {
        by.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new ArrayList<>()).add(c);
      }
    }
    int failed = 0;
    for (Map.Entry<Integer, String> t : TITLES.entrySet()) {
      List<TestCase> l = by.getOrDefault(t.getKey(), List.of());
      long f = l.stream().filter(c -> c.status().equals("failed")).count();
      long s = l.stream().filter(c -> c.status().equals("skipped")).count();
      failed += (int) f;
      double worst = l.stream().mapToDouble(TestCase::seconds).max().orElse(0);
      b.append("| ").append(t.getKey()).append(" | ").append(t.getValue()).append(" | ");
      if (l.isEmpty()) {
        b.append("— | | | not in these reports |\n");
      } else {
        b.append(l.size()).append(" | ").append(f).append(" | ").append(s).append(" | ")
            .append(String.format("%.1f s", worst)).append(" |\n");
      }
    }
    long others = cases.stream().filter(c -> !SCENARIO.matcher(c.name()).find()).count();
    long othersFailed = cases.stream().filter(c -> !SCENARIO.matcher(c.name()).find() && c.status().equals("failed")).count();
    b.append("\nOther tests: ").append(others).append(", failed: ").append(othersFailed).append(".\n");
    b.append("Failed scenario tests: ").append(failed).append(".\n");
    return b.toString();
  }

  private static String runLabel(String name) {
    return switch (name) {
      case "s15" -> "helper kill -9 mid-put, then verify";
      case "s15-serve" -> "serve kill -9 during concurrent PUTs, then verify";
      case "s15-serve-graceful" -> "serve graceful stop during PUTs";
      case "s34" -> "concurrent go builds, one dir";
      case "s35" -> "serve soak, 64 clients, restart";
      case "s36" -> "fuzzed request lines";
      case "s49" -> "fuzzed HTTP requests to serve";
      default -> "";
    };
  }

  private static Map<Integer, String> titles() {
    String[] t = {
      "handshake before reading", "get miss/hit", "put with/without body", "ObjectID / OutputID / both",
      "100+ requests in flight", "1 MiB and 512 MiB bodies", "unknown command, unknown fields",
      "garbage / truncated / wrong-length input", "stdin EOF without close", "close with uploads pending",
      "only protocol on stdout", "Time round-trips", "DiskPath files survive exit", "real go builds and tests",
      "kill -9 mid-put", "disk full", "read-only dir", "corrupt records", "clock jumps", "trim during builds",
      "two processes, same key", "HTTP 500", "server hangs", "trickle 1 byte/s", "truncated body",
      "wrong bytes", "hostile ids/paths", "401/403/429", "413/507", "redirects", "S3 errors",
      "breaker opens and recovers", "server restart mid-build", "16 concurrent go builds",
      "server, 64 clients", "fuzzed request lines", "no token, no write", "read token can't write",
      "namespace isolation", "tokens never logged", "revoked tokens fail closed",
      "/metrics needs a grant", "reads create no namespace; plain errors", "manifests bounded",
      "local tier follows no link", "re-put replaces a wrong body", "PUT ends early / over max size",
      "OIDC template and key refetch", "fuzzed HTTP requests to serve"
    };
    Map<Integer, String> m = new LinkedHashMap<>();
    for (int i = 0; i < t.length; i++) {
      m.put(i + 1, t[i]);
    }
    return m;
  }
}
