package dev.progcache.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.FakeIssuer;
import dev.progcache.testing.GoRun;
import dev.progcache.testing.ServeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI identity without stored secrets, end to end: a real {@code progcache serve} accepting OIDC
 * tokens of a loopback issuer ({@link FakeIssuer}, which also plays GitHub Actions' token service),
 * and real go builds whose helper fetches its id-token with {@code PROGCACHE_OIDC_AUDIENCE}. No
 * token or request token may appear in any output.
 */
@Timeout(400)
class OidcIT {
  static final String AUD = "progcache.it";
  static final String RULES =
      """
      repository=acme/app ref=refs/heads/main event_name=push -> read,write ns=main
      repository=acme/app event_name=pull_request -> read,write ns=pr-${pr} reads=main
      """;
  static final Map<String, String> MAIN_PUSH =
      Map.of("repository", "acme/app", "ref", "refs/heads/main", "event_name", "push");
  static final Map<String, String> PR_7 =
      Map.of("repository", "acme/app", "ref", "refs/pull/7/merge", "event_name", "pull_request");

  @TempDir Path tmp;
  private FakeIssuer issuer;
  private ServeProcess serve;
  private final List<String> outputs = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    issuer = new FakeIssuer();
    Path rules = Files.writeString(tmp.resolve("rules"), RULES);
    serve =
        ServeProcess.start(
            "127.0.0.1:0",
            tmp.resolve("srv"),
            Map.of("PROGCACHE_SERVE_OIDC_AUDIENCE", AUD),
            "--oidc-issuer",
            issuer.issuer(),
            "--oidc-rules",
            rules.toString());
  }

  @AfterEach
  void stop() {
    serve.close();
    issuer.close();
  }

  private GoRun.Result build(
      Path module, String home, Map<String, String> claims, Map<String, String> extraEnv)
      throws Exception {
    issuer.nextClaims(claims);
    Path h = Files.createDirectories(tmp.resolve(home));
    List<String> helper =
        List.of("--dir", h.resolve("cache").toString(), "-v", "--remote", serve.url().toString());
    Map<String, String> env = new HashMap<>();
    env.put("PROGCACHE_OIDC_AUDIENCE", AUD);
    env.put("ACTIONS_ID_TOKEN_REQUEST_URL", issuer.tokenUrl());
    env.put("ACTIONS_ID_TOKEN_REQUEST_TOKEN", FakeIssuer.REQUEST_TOKEN);
    env.put("PROGCACHE_REMOTE_DRAIN", "20s");
    env.putAll(extraEnv);
    GoRun.Result r =
        GoRun.go(module, h, helper, env, 240, "build", "-o", h.resolve("bin").toString(), ".");
    assertThat(r.exit()).as("stderr:\n%s", r.stderr()).isZero();
    outputs.add(r.stderr());
    return r;
  }

  private void assertNoSecretInOutput() {
    outputs.add(serve.stderr());
    String all = String.join("\n", outputs);
    for (String t : issuer.issued()) {
      assertThat(all).as("output must not contain an id-token").doesNotContain(t);
      assertThat(all).doesNotContain(t.substring(t.lastIndexOf('.') + 1));
    }
    assertThat(all).doesNotContain(FakeIssuer.REQUEST_TOKEN);
  }

  @Test
  void mainPushBuild_writesMain_prBuildReadsItAndWritesOnlyItsNamespace() throws Exception {
    Path module = GoRun.tinyModule(tmp.resolve("mod"));
    GoRun.Result pr = build(module, "pr-a", PR_7, Map.of());
    assertThat(pr.stat("remote-uploads")).as("stderr:\n%s", pr.stderr()).isPositive();
    assertThat(Files.isDirectory(tmp.resolve("srv").resolve("ns").resolve("pr-7"))).isTrue();

    GoRun.Result main = build(module, "main-a", MAIN_PUSH, Map.of());
    assertThat(main.stat("remote-hits"))
        .as("main never sees the PR's entries; stderr:\n%s", main.stderr())
        .isZero();
    assertThat(main.stat("remote-uploads")).as("stderr:\n%s", main.stderr()).isPositive();

    GoRun.Result mainAgain = build(module, "main-b", MAIN_PUSH, Map.of());
    assertThat(mainAgain.stat("remote-hits") + mainAgain.stat("prefetch-used"))
        .as("stderr:\n%s", mainAgain.stderr())
        .isPositive();

    GoRun.Result prAgain = build(module, "pr-b", PR_7, Map.of());
    assertThat(prAgain.stat("remote-hits") + prAgain.stat("prefetch-used"))
        .as("stderr:\n%s", prAgain.stderr())
        .isPositive();
    assertThat(issuer.tokenRequests()).as("one id-token per helper").isEqualTo(4);
    assertThat(issuer.issued()).hasSize(4);

    Thread.sleep(1500); // the access log is flushed every second
    assertThat(serve.stderr())
        .containsPattern("oidc:acme/app@refs/heads/main \\[[^]]+] \"PUT /")
        .containsPattern("oidc:acme/app@refs/pull/7/merge \\[[^]]+] \"PUT /");
    assertNoSecretInOutput();
  }

  @Test
  void tokenServiceRefusing_buildSucceedsWithoutTheRemote_andSaysSoOnce() throws Exception {
    Path module = GoRun.tinyModule(tmp.resolve("mod"));
    GoRun.Result r =
        build(
            module,
            "refused",
            MAIN_PUSH,
            Map.of("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "wrong-request-token-0000"));
    assertThat(r.stderr()).contains("is off for this build").contains("HTTP 401");
    assertThat(r.stderr().split("is off for this build", -1)).hasSize(2);
    assertThat(r.stat("remote-uploads")).isZero();

    GoRun.Result noPermission =
        build(
            module,
            "no-permission",
            MAIN_PUSH,
            Map.of("ACTIONS_ID_TOKEN_REQUEST_URL", "", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", ""));
    assertThat(noPermission.stderr()).contains("id-token: write");
    assertThat(issuer.issued()).isEmpty();
    assertNoSecretInOutput();
  }
}
