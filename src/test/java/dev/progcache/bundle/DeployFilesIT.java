package dev.progcache.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Bundle;
import dev.progcache.testing.Cmd;
import dev.progcache.testing.S3Proxy;
import dev.progcache.testing.ServeProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service files in deploy/ start a working server: {@code serve} runs from the unpacked archive
 * on its own runtime with exactly the command line and environment the systemd unit, the
 * Containerfile and the Kubernetes Deployment give it. The only changes are those a test must make:
 * the install, data and secret paths move under a temporary directory, the listen address becomes
 * 127.0.0.1:0, secrets get test values and the bucket's endpoint is a local one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class DeployFilesIT {
  private static final String TOKEN = "deploy-files-token-0123456789abcdef";
  private static final String ACTION = "ab".repeat(32);
  @TempDir Path tmp;
  Path home;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void unpack(@TempDir Path dir) throws Exception {
    home = Bundle.unpack(dir.resolve("unpacked"));
  }

  @Test
  void systemdUnit_startsServeOnTheBundledRuntime_withItsTokensAndDataDir() throws Exception {
    Path unit = home.resolve("deploy/systemd/progcache.service");
    String text = Files.readString(unit);
    assertThat(text)
        .contains(
            "ProtectSystem=strict", "NoNewPrivileges=yes", "ReadWritePaths=/var/lib/progcache");
    assertThat(text).containsPattern("(?m)^User=progcache$");
    ServiceFiles.Launch l = ServiceFiles.systemd(unit);
    assertThat(l.env().get("PROGCACHE_SERVE_DIR")).startsWith("/var/lib/progcache/");
    Map<String, String> env = placed(l.env());
    writeTokens(env);
    try (ServeProcess s = ServeProcess.startExactly(placed(l.command()), baseEnv(env))) {
      assertServes(s.url(), s);
      assertThat(Path.of(env.get("PROGCACHE_SERVE_DIR"))).isDirectory();
    }
  }

  @Test
  void systemdUnit_passesSystemdAnalyzeVerify() throws Exception {
    Path analyze = Path.of("/usr/bin/systemd-analyze");
    assertThat(analyze).as("systemd-analyze (Debian package systemd)").isExecutable();
    Path copy = tmp.resolve("progcache.service");
    Files.writeString(
        copy,
        Files.readString(home.resolve("deploy/systemd/progcache.service"))
            .replace("/opt/progcache", home.toString()));
    Cmd.Result r = Cmd.run(tmp, Map.of(), 60, analyze.toString(), "verify", copy.toString());
    assertThat(r.code()).as("systemd-analyze verify:\n%s%s", r.out(), r.err()).isZero();
    assertThat(r.err()).doesNotContain(copy.getFileName().toString());
  }

  @Test
  void containerfile_nonRootGlibcImage_startsServe_andItsHealthcheckPasses() throws Exception {
    Path file = home.resolve("deploy/container/Containerfile");
    List<Map.Entry<String, String>> steps = ServiceFiles.containerfile(file);
    assertThat(steps).anySatisfy(e -> assertThat(e.getKey()).isEqualTo("FROM"));
    steps.stream()
        .filter(e -> e.getKey().equals("FROM"))
        .forEach(e -> assertThat(e.getValue()).doesNotContainIgnoringCase("alpine"));
    steps.stream()
        .filter(e -> e.getKey().equals("USER"))
        .forEach(e -> assertThat(e.getValue()).doesNotStartWith("0").doesNotStartWith("root"));
    assertThat(steps).anySatisfy(e -> assertThat(e.getKey()).isEqualTo("USER"));
    assertThat(steps)
        .noneSatisfy(e -> assertThat(e.getValue()).containsAnyOf("curl ", "wget ", "apt-get"));
    ServiceFiles.Launch l = ServiceFiles.container(file);
    Map<String, String> env = placed(l.env());
    writeTokens(env);
    try (ServeProcess s = ServeProcess.startExactly(placed(l.command()), baseEnv(env))) {
      assertServes(s.url(), s);
      List<String> check = new ArrayList<>();
      for (String a : ServiceFiles.healthcheck(file)) {
        check.add(a.replace("/8421", "/" + s.port()));
      }
      Cmd.Result r = Cmd.run(tmp, baseEnv(Map.of()), 30, check);
      assertThat(r.code()).as("HEALTHCHECK %s: %s", check, r.err()).isZero();
    }
  }

  @Test
  void kubernetes_twoReplicasOnOneBucket_tokensFromTheSecret_probesAnswer() throws Exception {
    Path dir = home.resolve("deploy/kubernetes");
    String deployment = Files.readString(dir.resolve("deployment.yaml"));
    assertThat(deployment)
        .contains(
            "readinessProbe:",
            "livenessProbe:",
            "limits:",
            "secretName: progcache",
            "mountPath: /etc/progcache",
            "runAsNonRoot: true");
    assertThat(deployment.split("path: /healthz", -1)).hasSize(3);
    assertThat(Files.readString(dir.resolve("service.yaml")))
        .contains("kind: Service", "targetPort: http");
    ServiceFiles.Launch l = ServiceFiles.kubernetes(dir.resolve("deployment.yaml"));
    int s3 = l.command().indexOf("--s3");
    assertThat(s3).as("the replicas share a bucket: %s", l.command()).isPositive();
    String bucket = URI.create(l.command().get(s3 + 1)).getHost();
    try (S3Proxy proxy = S3Proxy.start(tmp.resolve("s3"))) {
      proxy.createBucket(bucket);
      Map<String, String> secrets =
          Map.of(
              "secret:progcache/s3-access-key-id", S3Proxy.ACCESS_KEY,
              "secret:progcache/s3-secret-access-key", S3Proxy.SECRET_KEY);
      List<ServeProcess> replicas = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          Map<String, String> given = new LinkedHashMap<>();
          l.env().forEach((k, v) -> given.put(k, secrets.getOrDefault(v, v)));
          assertThat(given.values()).noneMatch(v -> v.startsWith("secret:"));
          given.put("PROGCACHE_S3_ENDPOINT", proxy.endpoint().toString());
          Map<String, String> env = placed(given);
          // each pod has its own emptyDir
          env.put(
              "PROGCACHE_SERVE_DIR",
              tmp.resolve("pod" + i + l.env().get("PROGCACHE_SERVE_DIR")).toString());
          writeTokens(env);
          replicas.add(ServeProcess.startExactly(placed(l.command()), baseEnv(env)));
        }
        assertServes(replicas.get(0).url(), replicas.get(0));
        assertThat(get(replicas.get(1).url(), TOKEN).statusCode())
            .as(
                "what one replica stored the other reads from the bucket; %s",
                replicas.get(1).stderr())
            .isEqualTo(200);
      } finally {
        replicas.forEach(ServeProcess::close);
      }
    }
  }

  /** The server answers /healthz, refuses reads without the token, stores and reads with it. */
  private void assertServes(URI url, ServeProcess s) throws Exception {
    assertThat(
            http.send(
                    HttpRequest.newBuilder(url.resolve("/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body())
        .isEqualTo("ok\n");
    assertThat(get(url, null).statusCode()).isEqualTo(401);
    byte[] body = "built by the deploy files".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    HttpRequest put =
        HttpRequest.newBuilder(
                url.resolve("/" + ACTION + "/" + dev.progcache.testing.CacheHttp.sha256Hex(body)))
            .header("Authorization", "Bearer " + TOKEN)
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    assertThat(http.send(put, HttpResponse.BodyHandlers.discarding()).statusCode())
        .as(s.stderr())
        .isEqualTo(204);
    assertThat(get(url, TOKEN).statusCode()).isEqualTo(200);
    // the status page and its JSON render on the archive's runtime (charts are SVG text)
    HttpResponse<String> page =
        http.send(
            HttpRequest.newBuilder(url.resolve("/"))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
    assertThat(page.body()).contains("<svg");
    HttpResponse<String> json =
        http.send(
            HttpRequest.newBuilder(url.resolve("/status.json"))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(json.body()).contains("\"hitRatio\"");
    assertThat(s.stderr()).doesNotContain(TOKEN);
  }

  private HttpResponse<byte[]> get(URI url, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(url.resolve("/action/" + ACTION)).header("Want-Object", "1");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Writes the tokens file the environment names, creating its directory. */
  private static void writeTokens(Map<String, String> env) throws Exception {
    Path tokens = Path.of(env.get("PROGCACHE_SERVE_TOKENS_FILE"));
    Files.createDirectories(tokens.getParent());
    Files.writeString(tokens, TOKEN + " read,write ci\n");
  }

  /** What every service manager gives a process besides the file's own variables. */
  private Map<String, String> baseEnv(Map<String, String> env) throws Exception {
    Map<String, String> all = new HashMap<>();
    all.put("PATH", "/usr/bin:/bin");
    all.put("HOME", Files.createDirectories(tmp.resolve("home")).toString());
    all.putAll(env);
    return all;
  }

  private List<String> placed(List<String> args) {
    return args.stream().map(this::placed).toList();
  }

  private Map<String, String> placed(Map<String, String> env) {
    Map<String, String> out = new LinkedHashMap<>();
    env.forEach((k, v) -> out.put(k, placed(v)));
    return out;
  }

  /** Install, data and secret paths under the test's directories; loopback on a free port. */
  private String placed(String s) {
    return s.replace("/opt/progcache", home.toString())
        .replace("/var/lib/progcache", tmp.resolve("var/lib/progcache").toString())
        .replace("/etc/progcache", tmp.resolve("etc/progcache").toString())
        .replace("0.0.0.0:8421", "127.0.0.1:0");
  }
}
