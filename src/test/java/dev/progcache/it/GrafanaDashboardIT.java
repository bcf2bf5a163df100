package dev.progcache.it;

import static dev.progcache.testing.Hashes.action;
import static dev.progcache.testing.Hashes.sha;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Cmd;
import dev.progcache.testing.Dist;
import dev.progcache.testing.S3Proxy;
import dev.progcache.testing.ServeProcess;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code deploy/grafana/progcache.json} queries only metrics that real {@code progcache serve}
 * processes export at {@code /metrics} after traffic of every kind: one with a bucket behind it and
 * a second namespace, and an edge cache in front of it (so every family is present).
 */
@Timeout(600)
class GrafanaDashboardIT {
  private static final Path DASHBOARD = Path.of("deploy", "grafana", "progcache.json");
  private static final Set<String> KEYWORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "and",
          "or",
          "unless",
          "bool",
          "offset");
  @TempDir Path tmp;
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void everyMetricTheDashboardQueries_isExportedByARealServer() throws Exception {
    JsonNode d = new ObjectMapper().readTree(Files.readString(DASHBOARD));
    assertThat(d.path("title").asString()).isNotBlank();
    List<String> exprs = new ArrayList<>();
    List<String> titles = new ArrayList<>();
    for (JsonNode p : d.path("panels")) {
      if (p.path("type").asString("").equals("row")) {
        continue;
      }
      titles.add(p.path("title").asString());
      assertThat(p.path("targets")).as("panel %s has queries", p.path("title")).isNotEmpty();
      for (JsonNode t : p.path("targets")) {
        exprs.add(t.path("expr").asString());
      }
    }
    for (JsonNode v : d.path("templating").path("list")) {
      String q =
          v.path("query").isObject()
              ? v.path("query").path("query").asString("")
              : v.path("query").asString("");
      Matcher m = Pattern.compile("label_values\\(\\s*([^,)]+)").matcher(q);
      if (m.find()) {
        exprs.add(m.group(1));
      }
    }
    assertThat(titles)
        .anyMatch(t -> t.contains("Hit ratio"))
        .anyMatch(t -> t.contains("Rejected"))
        .anyMatch(t -> t.contains("namespace"))
        .anyMatch(t -> t.contains("limit"))
        .anyMatch(t -> t.contains("Evictions"))
        .anyMatch(t -> t.contains("duration"))
        .anyMatch(t -> t.contains("prefetch"))
        .anyMatch(t -> t.contains("Upstream"))
        .anyMatch(t -> t.contains("Memory"));
    Set<String> queried = new TreeSet<>();
    exprs.forEach(e -> queried.addAll(metricNames(e)));
    assertThat(queried).as("metric names found in the queries").hasSizeGreaterThanOrEqualTo(8);

    Set<String> exported = scrapeAfterTraffic();
    assertThat(exported).as("exported metrics").containsAll(queried);
    System.out.println("GrafanaDashboardIT: the dashboard queries " + queried);
  }

  /**
   * Metric names in a PromQL expression: identifiers that are not functions, keywords or labels.
   */
  static Set<String> metricNames(String expr) {
    String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
    s = s.replaceAll("\\{[^}]*\\}", " ");
    s = s.replaceAll("\\[[^\\]]*\\]", " ");
    s = s.replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    s = s.replaceAll("\\$\\w+", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?").matcher(s);
    while (m.find()) {
      if (m.group(2) == null && !KEYWORDS.contains(m.group(1))) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  private Set<String> scrapeAfterTraffic() throws Exception {
    try (S3Proxy s3 = S3Proxy.start(tmp.resolve("s3"))) {
      s3.createBucket("grafana");
      Path tokens = tmp.resolve("tokens");
      String main = token(tokens, "--read", "--write", "--name", "ci-main");
      String pr =
          token(
              tokens,
              "--read",
              "--write",
              "--namespace",
              "pr-1",
              "--read-namespace",
              "main",
              "--name",
              "pr-1");
      String scraper = token(tokens, "--read", "--metrics", "--name", "scraper");
      try (ServeProcess s =
          ServeProcess.start(
              "127.0.0.1:0",
              tmp.resolve("srv"),
              s3.env(),
              "--s3",
              "s3://grafana/p",
              "--tokens",
              tokens.toString(),
              "--max-size",
              "64K",
              "--max-object",
              "32K",
              "--no-access-log")) {
        byte[] body = new byte[30_000];
        for (int i = 0; i < 4; i++) {
          body[0] = (byte) i;
          assertThat(put(s, "", action(i), body, sha(body), main))
              .isEqualTo(204); // evicts past 64K
        }
        assertThat(put(s, "", action(9), body, sha(new byte[1]), main)).isEqualTo(400);
        assertThat(put(s, "", action(9), new byte[40_000], sha(new byte[40_000]), main))
            .isEqualTo(413);
        assertThat(put(s, "", action(9), body, sha(body), null)).isEqualTo(401);
        assertThat(
                put(
                    s,
                    "",
                    action(10),
                    "pr".getBytes(StandardCharsets.UTF_8),
                    sha("pr".getBytes(StandardCharsets.UTF_8)),
                    pr))
            .isEqualTo(204);
        for (int i = 0; i < 6; i++) {
          get(s, "action/" + action(i), main);
          get(s, "action/" + action(i), pr);
        }
        get(s, "output/" + sha(body), main);
        HttpResponse<Void> batch =
            http.send(
                HttpRequest.newBuilder(s.url().resolve("batch"))
                    .header("Authorization", "Bearer " + main)
                    .POST(HttpRequest.BodyPublishers.ofString(action(3) + "\n" + action(9) + "\n"))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(batch.statusCode()).isEqualTo(200);
        Set<String> names = names(get(s, "metrics", scraper));
        try (ServeProcess edge =
            ServeProcess.start(
                "127.0.0.1:0",
                tmp.resolve("edge"),
                Map.of("PROGCACHE_SERVE_UPSTREAM_TOKEN", main),
                "--upstream",
                s.url().toString(),
                "--no-access-log")) {
          assertThat(get(edge, "action/" + action(3), null).statusCode()).isEqualTo(200);
          byte[] b = "edge".getBytes(StandardCharsets.UTF_8);
          assertThat(put(edge, "", action(11), b, sha(b), null)).isEqualTo(204);
          names.addAll(names(get(edge, "metrics", null)));
        }
        return names;
      }
    }
  }

  private static Set<String> names(HttpResponse<String> metrics) {
    assertThat(metrics.statusCode()).isEqualTo(200);
    Set<String> names = new TreeSet<>();
    for (String line : metrics.body().split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }

  private int put(
      ServeProcess s, String prefix, String action, byte[] body, String output, String token)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(s.url().resolve(prefix + action + "/" + output))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private HttpResponse<String> get(ServeProcess s, String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(s.url().resolve(path)).header("Want-Object", "1");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String token(Path file, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Dist.launcher().toString(), "token", "create"));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--tokens", file.toString()));
    Cmd.Result r = Cmd.run(tmp, Map.of(), 60, cmd);
    assertThat(r.code()).as("token create; stderr:\n%s", r.err()).isZero();
    return r.out().strip();
  }
}
