package dev.progcache.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.modproxy.FakeGoProxy;
import dev.progcache.modproxy.ModuleTree;
import dev.progcache.testing.Bundle;
import dev.progcache.testing.Cmd;
import dev.progcache.testing.Dist;
import dev.progcache.testing.FakeIssuer;
import dev.progcache.testing.GoModule;
import dev.progcache.testing.ServeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI recipes of deploy/ci, run as written against serve on loopback: the plain-shell runner,
 * and the shell steps of the GitLab and GitHub Actions recipes with the archive the build wrote
 * (fetched by the recipe from a file URL, as from the team's download location), by two "runners":
 * a trusted one that fills the cache and an untrusted one that only reads it.
 */
@Timeout(900)
class ShellRecipeIT {
  @TempDir Path tmp;

  @Test
  void shellRecipe_secondRunnerWithFreshDir_compilesNothing() throws Exception {
    String token = "recipe-token-0123456789abcdef";
    Path tokens = Files.writeString(tmp.resolve("tokens"), token + " read,write ci\n");
    Path tokenFile = Files.writeString(tmp.resolve("token"), token + "\n");
    Path recipe = Path.of("deploy/ci/shell-runner.sh").toAbsolutePath();
    try (ServeProcess server =
        ServeProcess.start("127.0.0.1:0", tmp.resolve("server"), "--tokens", tokens.toString())) {
      Cmd.Result first = runner(1, server, tokenFile, recipe);
      assertThat(first.statSum("puts")).isGreaterThan(0);
      Thread.sleep(500); // uploads drain after each go command's close; give the last one a moment
      Cmd.Result second = runner(2, server, tokenFile, recipe);
      assertThat(second.statSum("bytes-in")).as("nothing compiled on the second runner").isZero();
      // the recipe's `progcache prefetch` (PROGCACHE_PREFETCH_AHEAD=1) fetched the first runner's
      // outputs before the first go command: go found them on disk
      assertThat(second.err())
          .containsPattern(
              "progcache prefetch: [1-9]\\d* listed, 0 already in \\S+, [1-9]\\d* fetched");
      assertThat(second.statSum("hits")).isGreaterThan(0);
      assertThat(second.statSum("remote-hits")).isZero();
      assertThat(second.out()).contains("ok");
      assertThat(second.err() + server.stderr()).doesNotContain(token);
    }
  }

  @Test
  void shellRecipe_withTheModuleProxy_prefetchesWhatGoSumNames_andGoReadsItLocally()
      throws Exception {
    Path recipe = Path.of("deploy/ci/shell-runner.sh").toAbsolutePath();
    Path upstreamRoot = tmp.resolve("upstream");
    ModuleTree.standard(upstreamRoot);
    Path app = ModuleTree.mainModule(tmp.resolve("app"));
    try (FakeGoProxy upstream = FakeGoProxy.start(upstreamRoot);
        ServeProcess server =
            ServeProcess.start(
                "127.0.0.1:0", tmp.resolve("server"), "--modproxy", upstream.url().toString())) {
      String proxy = server.url() + "mod";
      // the repository holds go.sum: written once by a download through the server
      Map<String, String> first = modEnv("mod-first", proxy);
      Cmd.run(app, first, 120, "go", "mod", "download", "all").ok();
      int upstreamRequests = upstream.requests();
      String zip = "/mod/example.com/a/@v/v1.1.0.zip";
      for (int i = 0; i < 100 && count(server.stderr(), zip) == 0; i++) {
        Thread.sleep(100); // the access log is read from the server's stderr as it comes
      }
      int zipRequests = count(server.stderr(), zip);
      assertThat(zipRequests).isPositive();

      Map<String, String> env = modEnv("mod-runner", proxy);
      env.put("PROGCACHE_HOME", Dist.launcher().getParent().getParent().toString());
      env.put("PROGCACHE_REMOTE", server.url().toString());
      env.put("PROGCACHE_MODPROXY", proxy);
      Path runnerTemp = Files.createDirectories(tmp.resolve("mod-runner").resolve("runner-temp"));
      env.put("RUNNER_TEMP", runnerTemp.toString());
      env.put("GOPROXY", "off"); // the recipe sets it: nothing may come from elsewhere
      Cmd.Result r = Cmd.run(app, env, 600, "bash", recipe.toString()).ok();

      Path fetched = runnerTemp.resolve("progcache-mod");
      assertThat(fetched.resolve("example.com/!upper/!lib/@v/v0.1.0.zip")).isRegularFile();
      assertThat(fetched.resolve("example.com/old/@v/v2.0.0+incompatible.zip")).isRegularFile();
      assertThat(r.err()).contains("progcache: mod prefetch:").contains(" 0 failed");
      // with a module proxy the recipe prefetches build outputs ahead too (none yet here)
      assertThat(r.err()).contains("progcache prefetch: no manifest for this build context yet");
      assertThat(r.statSum("puts")).as("the build ran through progcache").isGreaterThan(0);
      assertThat(Path.of(env.get("GOMODCACHE")).resolve("example.com/a@v1.1.0")).isDirectory();
      assertThat(upstream.requests()).as("all from the server's store").isEqualTo(upstreamRequests);
      Thread.sleep(500); // a late access-log line would show
      assertThat(count(server.stderr(), zip))
          .as("the prefetch asked the server; go read the fetched directory")
          .isEqualTo(zipRequests + 1);
    }
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  /** A runner whose go downloads modules through {@code proxy}, into a fresh module cache. */
  private Map<String, String> modEnv(String runner, String proxy) throws Exception {
    return GoModule.throughProxy(runnerEnv(runner), proxy, tmp.resolve(runner).resolve("modcache"));
  }

  private Cmd.Result runner(int n, ServeProcess server, Path tokenFile, Path recipe)
      throws Exception {
    Map<String, String> env = runnerEnv("runner" + n);
    env.put("PROGCACHE_HOME", Dist.launcher().getParent().getParent().toString());
    env.put("PROGCACHE_REMOTE", server.url().toString());
    env.put("PROGCACHE_TOKEN_FILE", tokenFile.toString());
    env.put("PROGCACHE_PREFETCH_AHEAD", "1"); // off by default without PROGCACHE_MODPROXY
    return Cmd.run(checkout(), env, 600, "bash", recipe.toString()).ok();
  }

  @Test
  void gitlabRecipe_protectedBranchFills_mergeRequestReadsOnlyWithoutWarnings() throws Exception {
    Path yml = Path.of("deploy/ci/gitlab-ci.yml").toAbsolutePath();
    String rw = "gitlab-rw-token-0123456789abcdef";
    String ro = "gitlab-ro-token-0123456789abcdef";
    Path tokens =
        Files.writeString(tmp.resolve("tokens"), rw + " read,write ci\n" + ro + " read mr\n");
    // GitLab writes a "File" variable outside the project directory and passes its path
    Path files = Files.createDirectories(tmp.resolve("gitlab-file-variables"));
    Path rwFile = Files.writeString(files.resolve("PROGCACHE_TOKEN_RW"), rw);
    Path roFile = Files.writeString(files.resolve("PROGCACHE_TOKEN_RO"), ro);
    StringBuilder script = new StringBuilder("set -eo pipefail\n"); // as GitLab's bash runs a job
    CiRecipes.gitlabVariables(yml)
        .forEach(
            (k, v) -> script.append("export ").append(k).append("=\"").append(v).append("\"\n"));
    CiRecipes.gitlabScript(yml).forEach(l -> script.append(l).append('\n'));
    Path job = Files.writeString(tmp.resolve("gitlab-job.sh"), script);
    try (ServeProcess server =
        ServeProcess.start("127.0.0.1:0", tmp.resolve("server"), "--tokens", tokens.toString())) {
      Map<String, String> main = gitlabEnv("gl-main", server);
      main.put("CI_COMMIT_REF_PROTECTED", "true");
      main.put("PROGCACHE_TOKEN_RW", rwFile.toString());
      main.put("PROGCACHE_TOKEN_RO", roFile.toString());
      Cmd.Result first = Cmd.run(checkout(), main, 600, "bash", job.toString()).ok();
      assertThat(first.statSum("puts")).isGreaterThan(0);
      Thread.sleep(500);
      Map<String, String> mr = gitlabEnv("gl-mr", server); // protected variables are not passed
      mr.put("CI_COMMIT_REF_PROTECTED", "false");
      mr.put("PROGCACHE_TOKEN_RO", roFile.toString());
      Cmd.Result second = Cmd.run(checkout(), mr, 600, "bash", job.toString()).ok();
      assertThat(second.statSum("bytes-in")).as("nothing compiled in the merge request").isZero();
      assertThat(second.err().toLowerCase(java.util.Locale.ROOT))
          .as("a read-only job tries no upload and warns of nothing")
          .doesNotContain("refused", "warning")
          .doesNotContainPattern("\\b403\\b");
      assertThat(second.statSum("remote-uploads")).isZero();
      assertThat(server.stderr()).doesNotContain(" 403 ");
      assertThat(first.err() + second.err() + server.stderr()).doesNotContain(rw, ro);
      assertThat(Path.of(main.get("CI_PROJECT_DIR") + ".tmp/progcache/bin/progcache"))
          .isExecutable();
      try (var walk = Files.walk(checkout())) {
        assertThat(walk.filter(Files::isRegularFile).map(ShellRecipeIT::read))
            .as("no token in the project directory")
            .noneMatch(t -> t.contains(rw) || t.contains(ro));
      }
    }
  }

  @Test
  void githubRecipe_pushFills_pullRequestReads_withOidcAndNoSecret() throws Exception {
    Path yml = Path.of("deploy/ci/github-actions.yml").toAbsolutePath();
    String aud = "progcache.recipe";
    try (FakeIssuer issuer = new FakeIssuer()) {
      Path rules =
          Files.writeString(
              tmp.resolve("rules"),
              """
          repository=acme/app ref=refs/heads/main event_name=push -> read,write ns=main
          repository=acme/app event_name=pull_request -> read,write ns=pr-${pr} reads=main
          """);
      try (ServeProcess server =
          ServeProcess.start(
              "127.0.0.1:0",
              tmp.resolve("server"),
              Map.of("PROGCACHE_SERVE_OIDC_AUDIENCE", aud),
              "--oidc-issuer",
              issuer.issuer(),
              "--oidc-rules",
              rules.toString())) {
        Map<String, String> vars =
            Map.of(
                "PROGCACHE_ARCHIVE_URL",
                Bundle.archive().toUri().toString(),
                "PROGCACHE_REMOTE",
                server.url().toString(),
                "PROGCACHE_OIDC_AUDIENCE",
                aud);
        issuer.nextClaims(
            Map.of("repository", "acme/app", "ref", "refs/heads/main", "event_name", "push"));
        Cmd.Result first = githubJob(yml, "gh-push", vars, issuer);
        assertThat(first.statSum("puts")).isGreaterThan(0);
        Thread.sleep(500);
        issuer.nextClaims(
            Map.of(
                "repository",
                "acme/app",
                "ref",
                "refs/pull/7/merge",
                "event_name",
                "pull_request"));
        Cmd.Result second = githubJob(yml, "gh-pr", vars, issuer);
        assertThat(second.statSum("bytes-in")).as("nothing compiled in the pull request").isZero();
        assertThat(first.err() + second.err()).doesNotContain(FakeIssuer.REQUEST_TOKEN);
      }
    }
  }

  /**
   * Runs the recipe's run steps in order as GitHub does: bash -eo pipefail, $GITHUB_ENV carried on.
   */
  private Cmd.Result githubJob(Path yml, String runner, Map<String, String> vars, FakeIssuer issuer)
      throws Exception {
    Map<String, String> env = runnerEnv(runner);
    Path root = tmp.resolve(runner);
    env.put("RUNNER_TEMP", Files.createDirectories(root.resolve("runner-temp")).toString());
    Path githubEnv = Files.writeString(root.resolve("github-env"), "");
    env.put("GITHUB_ENV", githubEnv.toString());
    env.put("ACTIONS_ID_TOKEN_REQUEST_URL", issuer.tokenUrl());
    env.put("ACTIONS_ID_TOKEN_REQUEST_TOKEN", FakeIssuer.REQUEST_TOKEN);
    Cmd.Result last = null;
    for (CiRecipes.Step step : CiRecipes.githubSteps(yml)) {
      Map<String, String> e = new HashMap<>(env);
      Files.readAllLines(githubEnv).stream()
          .filter(l -> l.contains("="))
          .forEach(l -> e.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
      step.env().forEach((k, v) -> e.put(k, expression(v, vars)));
      Path script = Files.writeString(root.resolve("step.sh"), step.run());
      last =
          Cmd.run(
              checkout(),
              e,
              600,
              "bash",
              "--noprofile",
              "--norc",
              "-eo",
              "pipefail",
              script.toString());
      assertThat(last.code()).as("step %s:\n%s%s", step.name(), last.out(), last.err()).isZero();
    }
    assertThat(last).as("the recipe has run steps").isNotNull();
    return last;
  }

  /** A value like ${{ vars.NAME }} with the test's value of NAME. */
  private static String expression(String v, Map<String, String> vars) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\$\\{\\{ vars\\.(\\w+) }}").matcher(v);
    return m.replaceAll(
        r -> java.util.regex.Matcher.quoteReplacement(vars.getOrDefault(r.group(1), "")));
  }

  private Map<String, String> gitlabEnv(String runner, ServeProcess server) throws Exception {
    Map<String, String> env = runnerEnv(runner);
    env.put("CI_PROJECT_DIR", checkout().toString());
    env.put("PROGCACHE_ARCHIVE_URL", Bundle.archive().toUri().toString());
    env.put("PROGCACHE_REMOTE", server.url().toString());
    return env;
  }

  /** A fresh runner: its own go cache and local progcache directory. */
  private Map<String, String> runnerEnv(String runner) throws Exception {
    Path root = Files.createDirectories(tmp.resolve(runner));
    checkout();
    return new HashMap<>(GoModule.env(root, root.resolve("gocache")));
  }

  /**
   * CI checks the repository out at the same path on every runner; go's action ids for the module's
   * own packages include that path, so all runners build in one checkout.
   */
  private Path checkout() throws Exception {
    Path mod = tmp.resolve("checkout");
    if (!Files.exists(mod)) {
      GoModule.write(mod);
    }
    return mod;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      return ""; // binary files hold no token either way
    }
  }
}
