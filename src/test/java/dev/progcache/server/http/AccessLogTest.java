package dev.progcache.server.http;

import static dev.progcache.testing.Hashes.action;
import static dev.progcache.testing.Hashes.sha;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.server.CacheServer;
import dev.progcache.server.ServeConfig;
import dev.progcache.testing.TextLog;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The access log of an in-process server, in each {@code --access-log} format, after real HTTP
 * requests: one line per request, health probes only when asked for, never a token, and the
 * server's own lines timestamped.
 */
@Timeout(60)
class AccessLogTest {
  private static final String TOKEN = "access-log-token-0123456789abcdef";
  @TempDir Path tmp;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final TextLog err = new TextLog();
  private CacheServer server;

  @AfterEach
  void stop() {
    http.shutdownNow();
    if (server != null) {
      server.close();
    }
  }

  private void start(String... flags) throws Exception {
    Path tokens = tmp.resolve("tokens");
    Files.writeString(
        tokens,
        "sha256:"
            + sha(TOKEN.getBytes(StandardCharsets.UTF_8))
            + " read,write ns=main name=ci-main\n");
    List<String> args =
        new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--dir", tmp.resolve("srv").toString()));
    args.addAll(List.of("--tokens", tokens.toString()));
    args.addAll(List.of(flags));
    server = CacheServer.start(ServeConfig.parse(args, Map.of()), err);
  }

  /** Sends a few requests: a put, a hit, a refused read, two probes, a sign-in with the token. */
  private void traffic() throws Exception {
    byte[] body = "logged".getBytes(StandardCharsets.UTF_8);
    String put = action(1) + "/" + sha(body);
    assertThat(
            send(
                HttpRequest.newBuilder(server.url().resolve(put))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                    .header("Authorization", "Bearer " + TOKEN)))
        .isEqualTo(204);
    assertThat(
            send(
                HttpRequest.newBuilder(server.url().resolve("action/" + action(1)))
                    .header("Authorization", "Bearer " + TOKEN)
                    .header("Want-Object", "1")))
        .isEqualTo(200);
    assertThat(send(HttpRequest.newBuilder(server.url().resolve("action/" + action(1)))))
        .isEqualTo(401);
    for (int i = 0; i < 2; i++) {
      assertThat(send(HttpRequest.newBuilder(server.url().resolve("healthz")))).isEqualTo(200);
    }
    assertThat(
            send(
                HttpRequest.newBuilder(server.url().resolve("signin"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("token=" + TOKEN))))
        .isEqualTo(303);
  }

  private int send(HttpRequest.Builder b) throws Exception {
    return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** The access log's lines, once the requests' lines were flushed (every second). */
  private List<String> lines(String marker, int atLeast) throws Exception {
    for (int i = 0; i < 50; i++) {
      List<String> l = err.text().lines().filter(s -> s.contains(marker)).toList();
      if (l.size() >= atLeast) {
        return l;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("fewer than " + atLeast + " access log lines in:\n" + err.text());
  }

  @Test
  void json_oneObjectPerRequest_withoutProbes_orTokens() throws Exception {
    start("--access-log", "json");
    traffic();
    server.close();
    List<String> lines = lines("\"method\"", 4);
    assertThat(lines).hasSize(4);
    ObjectMapper json = new ObjectMapper();
    JsonNode put = json.readTree(lines.get(0));
    assertThat(put.at("/method").asString()).isEqualTo("PUT");
    assertThat(put.at("/status").asInt()).isEqualTo(204);
    assertThat(put.at("/principal").asString()).isEqualTo("ci-main");
    assertThat(put.at("/time").asString()).endsWith("Z");
    assertThat(put.at("/ms").isNumber()).isTrue();
    JsonNode hit = json.readTree(lines.get(1));
    assertThat(hit.at("/path").asString()).isEqualTo("/action/" + action(1));
    assertThat(hit.at("/bytes").asLong()).isEqualTo(6);
    assertThat(json.readTree(lines.get(2)).at("/status").asInt()).isEqualTo(401);
    assertThat(json.readTree(lines.get(3)).at("/path").asString()).isEqualTo("/signin");
    assertThat(err.text()).doesNotContain("healthz").doesNotContain(TOKEN);
    assertThat(err.text().lines().filter(l -> l.contains("progcache serve:")))
        .as("the server's own lines are timestamped")
        .allMatch(
            l ->
                l.matches(
                    "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z progcache serve: .*"));
  }

  @Test
  void common_isTheDefault_andProbesAreLoggedWhenAsked() throws Exception {
    start("--access-log-probes");
    traffic();
    server.close();
    List<String> lines = lines("HTTP/1.1\"", 6);
    assertThat(lines).hasSize(6);
    assertThat(lines.get(0))
        .matches(
            "127\\.0\\.0\\.1 - ci-main \\[\\d\\d/[A-Z][a-z]{2}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000] \"PUT /[0-9a-f]{64}/[0-9a-f]{64} HTTP/1\\.1\" 204 0");
    assertThat(lines.get(2)).contains(" - - [").contains("\" 401 ");
    assertThat(lines.stream().filter(l -> l.contains("GET /healthz HTTP/1.1\" 200 3"))).hasSize(2);
    assertThat(err.text()).doesNotContain(TOKEN);
  }

  @Test
  void off_logsNoRequest() throws Exception {
    start("--access-log=off");
    traffic();
    server.close();
    assertThat(err.text())
        .doesNotContain("HTTP/1.1")
        .doesNotContain("\"method\"")
        .doesNotContain("/action/");
  }
}
