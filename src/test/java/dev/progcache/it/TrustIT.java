package dev.progcache.it;

import static dev.progcache.testing.Hashes.sha;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Cmd;
import dev.progcache.testing.Dist;
import dev.progcache.testing.GoRun;
import dev.progcache.testing.ServeProcess;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cases 37-40 against a real {@code progcache serve} on loopback with tokens made by {@code
 * progcache token create}: who may write, namespace isolation (also through real go builds), token
 * file reload, hashed storage, and no token in any output.
 */
@Timeout(300)
class TrustIT {
  @TempDir Path tmp;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** Everything the processes of a test printed, to scan for tokens. */
  private final List<String> outputs = new ArrayList<>();

  private final List<String> tokens = new ArrayList<>();
  private final List<ServeProcess> servers = new ArrayList<>();

  @AfterEach
  void stop() {
    servers.forEach(ServeProcess::close);
    http.shutdownNow();
  }

  // --- helpers ---

  private Path tokensFile() {
    return tmp.resolve("etc").resolve("tokens");
  }

  /** Runs {@code progcache token create ARGS --tokens FILE}; returns the printed token. */
  private String token(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Dist.launcher().toString(), "token", "create"));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--tokens", tokensFile().toString()));
    Cmd.Result r = Cmd.run(tmp, Map.of(), 60, cmd);
    assertThat(r.code()).as("token create; stderr:\n%s", r.err()).isZero();
    outputs.add(r.err());
    String t = r.out().strip();
    assertThat(t).matches("[A-Za-z0-9_-]{43}");
    tokens.add(t);
    return t;
  }

  private ServeProcess serve(String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("--tokens", tokensFile().toString()));
    args.addAll(List.of(extra));
    ServeProcess s =
        ServeProcess.start("127.0.0.1:0", tmp.resolve("srv"), args.toArray(String[]::new));
    servers.add(s);
    return s;
  }

  static String action(String name) throws Exception {
    return sha(name.getBytes(StandardCharsets.UTF_8));
  }

  private int put(ServeProcess s, String prefix, String action, String body, String token)
      throws Exception {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    HttpRequest.Builder r =
        HttpRequest.newBuilder(s.url().resolve(prefix + action + "/" + sha(b)))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(b));
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** GET action with Want-Object: status, and the body on 200. */
  private HttpResponse<String> get(ServeProcess s, String prefix, String action, String token)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(s.url().resolve(prefix + "action/" + action))
            .header("Want-Object", "1");
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Rewrites the tokens file without the line holding {@code token}'s digest, atomically. */
  private void revoke(String token) throws Exception {
    String digest = sha(token.getBytes(StandardCharsets.UTF_8));
    StringBuilder kept = new StringBuilder();
    for (String l : Files.readAllLines(tokensFile())) {
      if (!l.contains(digest)) {
        kept.append(l).append('\n');
      }
    }
    Path t = tokensFile().resolveSibling("tokens.new");
    Files.writeString(t, kept);
    Files.move(
        t, tokensFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private void assertNoTokenIn(String what, String text) {
    for (String t : tokens) {
      assertThat(text).as("%s must not contain a token", what).doesNotContain(t);
    }
  }

  // --- cases ---

  @Test
  void s37_noToken_cannotWrite_evenWithInsecureAnonymous() throws Exception {
    String writer = token("--read", "--write", "--name", "ci-main");
    ServeProcess s = serve();
    String a = action("s37");
    assertThat(put(s, "", a, "anonymous body", null)).isEqualTo(401);
    assertThat(put(s, "", a, "anonymous body", "not-a-real-token-000000000000")).isEqualTo(401);
    assertThat(get(s, "", a, null).statusCode()).isEqualTo(401);
    assertThat(get(s, "", a, writer).statusCode()).as("nothing was stored").isEqualTo(404);

    s.close();
    ServeProcess open = serve("--insecure-anonymous");
    assertThat(open.stderr()).contains("WARNING: --insecure-anonymous");
    assertThat(put(open, "", a, "anonymous body", null))
        .as("anonymous is read-only")
        .isEqualTo(403);
    assertThat(get(open, "", a, null).statusCode()).as("anonymous may read").isEqualTo(404);
    assertThat(put(open, "", a, "trusted body", writer)).isEqualTo(204);
    assertThat(get(open, "", a, null).body()).isEqualTo("trusted body");
  }

  @Test
  void s38_readToken_cannotWrite() throws Exception {
    String reader = token("--read", "--name", "dev");
    String writer = token("--read", "--write", "--name", "ci");
    ServeProcess s = serve();
    String a = action("s38");
    assertThat(put(s, "", a, "from a reader", reader)).isEqualTo(403);
    assertThat(get(s, "", a, reader).statusCode()).isEqualTo(404);
    assertThat(put(s, "", a, "from the writer", writer)).isEqualTo(204);
    assertThat(get(s, "", a, reader).body()).isEqualTo("from the writer");
    String writeOnly = token("--write", "--name", "uploader");
    Thread.sleep(1500); // the server reloads the file
    assertThat(get(s, "", a, writeOnly).statusCode()).isEqualTo(403);
  }

  @Test
  void s39_namespaceIsolation_prEntryNeverReachesMainReaders() throws Exception {
    String main = token("--read", "--write", "--namespace", "main", "--name", "ci-main");
    String pr =
        token(
            "--read",
            "--write",
            "--namespace",
            "pr-1",
            "--read-namespace",
            "main",
            "--name",
            "pr-1");
    ServeProcess s = serve();
    String same = action("same action id");
    String prOnly = action("only in pr-1");
    String mainOnly = action("only in main");

    assertThat(put(s, "", same, "trusted", main)).isEqualTo(204);
    assertThat(put(s, "", mainOnly, "main only", main)).isEqualTo(204);
    // the PR token writes its own namespace, by default or by prefix, never main
    assertThat(put(s, "", same, "poisoned", pr)).isEqualTo(204);
    assertThat(put(s, "ns/pr-1/", prOnly, "pr only", pr)).isEqualTo(204);
    assertThat(put(s, "ns/main/", same, "poisoned", pr)).isEqualTo(403);
    assertThat(put(s, "ns/pr-2/", same, "poisoned", pr)).isEqualTo(403);

    // main readers never see the PR's entries, same action ID included
    assertThat(get(s, "", same, main).body()).isEqualTo("trusted");
    assertThat(get(s, "ns/main/", same, main).body()).isEqualTo("trusted");
    assertThat(get(s, "", prOnly, main).statusCode()).isEqualTo(404);
    assertThat(get(s, "ns/pr-1/", prOnly, main).statusCode()).isEqualTo(403);

    // the PR reads its own namespace first, then main
    assertThat(get(s, "", same, pr).body()).isEqualTo("poisoned");
    assertThat(get(s, "", prOnly, pr).body()).isEqualTo("pr only");
    assertThat(get(s, "", mainOnly, pr).body()).isEqualTo("main only");
    assertThat(get(s, "ns/main/", same, pr).body()).isEqualTo("trusted");
    assertThat(get(s, "ns/pr-2/", same, pr).statusCode()).isEqualTo(403);
    assertThat(get(s, "ns/UPPER/", same, pr).statusCode()).isEqualTo(400);
    assertThat(Files.isDirectory(tmp.resolve("srv").resolve("ns").resolve("pr-1"))).isTrue();
    assertThat(Files.exists(tmp.resolve("srv").resolve("ns").resolve("pr-2"))).isFalse();
  }

  @Test
  void s39_prBuild_doesNotGiveMainHelperRemoteHits() throws Exception {
    String main = token("--read", "--write", "--name", "ci-main");
    String pr =
        token(
            "--read",
            "--write",
            "--namespace",
            "pr-7",
            "--read-namespace",
            "main",
            "--name",
            "pr-7");
    ServeProcess s = serve();
    Path module = GoRun.tinyModule(tmp.resolve("mod"));

    GoRun.Result prBuild = build(module, "pr-a", s, pr, "--namespace", "pr-7");
    assertThat(prBuild.stat("remote-uploads")).as("stderr:\n%s", prBuild.stderr()).isPositive();

    GoRun.Result mainBuild = build(module, "main-a", s, main);
    assertThat(mainBuild.stat("remote-hits")).as("stderr:\n%s", mainBuild.stderr()).isZero();
    assertThat(mainBuild.stat("prefetched")).as("no manifest of pr-7 read from main").isZero();

    GoRun.Result prAgain = build(module, "pr-b", s, pr, "--namespace", "pr-7");
    assertThat(prAgain.stat("remote-hits") + prAgain.stat("prefetch-used"))
        .as("stderr:\n%s", prAgain.stderr())
        .isPositive();

    // a read-only main helper uploads nothing, so the next fresh main helper still misses
    GoRun.Result readOnly = build(module, "main-ro", s, main, "--read-only");
    assertThat(readOnly.stat("remote-uploads")).as("stderr:\n%s", readOnly.stderr()).isZero();
    // main-a uploaded to main: a fresh main helper hits
    GoRun.Result mainAgain = build(module, "main-b", s, main);
    assertThat(mainAgain.stat("remote-hits") + mainAgain.stat("prefetch-used"))
        .as("stderr:\n%s", mainAgain.stderr())
        .isPositive();
    outputs.add(s.stderr());
    assertNoTokenIn("logs of the builds and the server", String.join("\n", outputs));
  }

  @Test
  void readOnlyToken_buildIsQuietlyReadOnly_noRefusalOnStderr() throws Exception {
    String reader = token("--read", "--name", "dev");
    ServeProcess s = serve();
    Path module = GoRun.tinyModule(tmp.resolve("mod"));
    GoRun.Result r = build(module, "dev", s, reader); // a fresh cache: go puts everything it builds
    assertThat(r.stat("puts")).as("stderr:\n%s", r.stderr()).isPositive();
    assertThat(r.stderr()).doesNotContainPattern("\\b403\\b").doesNotContain("refused");
    assertThat(r.stat("remote-read-only")).as("stderr:\n%s", r.stderr()).isEqualTo(1);
    assertThat(r.stat("remote-upload-read-only")).isPositive();
    assertThat(r.stat("remote-uploads")).isZero();
    assertThat(r.stat("remote-upload-rejected")).as("no upload was sent").isZero();
    assertThat(s.stderr()).doesNotContain("\" 403 ");
  }

  @Test
  void readOnlyToken_daemonSessions_quietlyReadOnly_andRememberIt() throws Exception {
    String reader = token("--read", "--name", "dev");
    ServeProcess s = serve();
    Path module = GoRun.tinyModule(tmp.resolve("mod"));
    Map<String, String> env = new java.util.HashMap<>();
    env.put("HOME", tmp.resolve("home").toString());
    env.put("PROGCACHE_SOCKET_DIR", tmp.resolve("sock").toString());
    env.put("PROGCACHE_DAEMON_IDLE", "60");
    env.put("PROGCACHE_TOKEN", reader);
    env.put("PROGCACHE_REMOTE", s.url().toString());
    env.put("GOTOOLCHAIN", "local");
    env.put("GOTELEMETRY", "off");
    env.put("GOFLAGS", "-modcacherw");
    try {
      // one cache directory, so one shared tier in the daemon; the second build compiles a
      // changed package, so it puts too
      env.put("GOCACHEPROG", Dist.relay() + " -v --dir " + tmp.resolve("cache"));
      for (String run : List.of("first", "second")) {
        Path h = Files.createDirectories(tmp.resolve(run));
        if (run.equals("second")) {
          Files.writeString(module.resolve("extra.go"), "package main\n\nvar extra = 2\n");
        }
        env.put("GOCACHE", h.resolve("gocache").toString());
        env.put("GOMODCACHE", h.resolve("gomod").toString());
        Cmd.Result r =
            Cmd.run(
                module,
                env,
                240,
                dev.progcache.testing.GoTool.go().toString(),
                "build",
                "-o",
                h.resolve("bin").toString(),
                ".");
        assertThat(r.code()).as(r.err()).isZero();
        outputs.add(r.err());
        // a whole word: temp directory names are digit runs that may hold "403"
        assertThat(r.err()).as(run).doesNotContainPattern("\\b403\\b").doesNotContain("refused");
        GoRun.Result g = new GoRun.Result(r.code(), r.out(), r.err(), 0);
        assertThat(g.stat("puts")).as(r.err()).isPositive();
        assertThat(g.stat("remote-uploads")).as(r.err()).isZero();
        if (run.equals("second")) {
          // the daemon's shared tier remembers the answer: no question, no upload, and it says so
          assertThat(g.stat("remote-read-only")).as(r.err()).isEqualTo(1);
        }
      }
      assertThat(s.stderr()).doesNotContain("\" 403 ");
      assertThat(s.stderr().lines().filter(l -> l.contains("GET /grants")).count())
          .as("one question for both go commands; server log:\n%s", s.stderr())
          .isEqualTo(1);
    } finally {
      Cmd.run(tmp, env, 30, Dist.launcher().toString(), "daemon", "stop");
    }
    assertNoTokenIn("go's stderr", String.join("\n", outputs));
  }

  private GoRun.Result build(
      Path module, String home, ServeProcess s, String token, String... flags) throws Exception {
    Path h = Files.createDirectories(tmp.resolve(home));
    List<String> helper =
        new ArrayList<>(
            List.of("--dir", h.resolve("cache").toString(), "-v", "--remote", s.url().toString()));
    helper.addAll(List.of(flags));
    GoRun.Result r =
        GoRun.go(
            module,
            h,
            helper,
            Map.of("PROGCACHE_TOKEN", token, "PROGCACHE_REMOTE_DRAIN", "20s"),
            240,
            "build",
            "-o",
            h.resolve("bin").toString(),
            ".");
    assertThat(r.exit()).as("stderr:\n%s", r.stderr()).isZero();
    outputs.add(r.stderr());
    return r;
  }

  @Test
  void tokenFileReload_revokesWithoutRestart() throws Exception {
    String kept = token("--read", "--write", "--name", "kept");
    String revoked = token("--read", "--write", "--name", "revoked");
    ServeProcess s = serve();
    String a = action("reload");
    assertThat(put(s, "", a, "body", revoked)).isEqualTo(204);
    revoke(revoked);
    int status = 0;
    for (int i = 0; i < 50 && status != 401; i++) {
      Thread.sleep(100);
      status = get(s, "", a, revoked).statusCode();
    }
    assertThat(status).as("revoked within 5 s; stderr:\n%s", s.stderr()).isEqualTo(401);
    assertThat(put(s, "", a, "other", revoked)).isEqualTo(401);
    assertThat(get(s, "", a, kept).body()).isEqualTo("body");
    assertThat(s.stderr()).contains("reloaded");

    // a malformed line is skipped and reported, without quoting the file's content; the valid
    // lines stay in force
    Files.writeString(
        tokensFile(), "sha256:nothex read\n", java.nio.file.StandardOpenOption.APPEND);
    Thread.sleep(2500);
    assertThat(get(s, "", a, kept).body()).isEqualTo("body");
    assertThat(s.stderr()).contains("line 2").contains("line skipped").doesNotContain("nothex");
    outputs.add(s.stderr());
    assertNoTokenIn("server log", String.join("\n", outputs));
  }

  @Test
  void tokenCreate_storesOnlyHashes() throws Exception {
    String t1 = token("--read", "--write", "--name", "one");
    String t2 = token("--read", "--namespace", "pr-5", "--read-namespace", "main");
    String file = Files.readString(tokensFile());
    assertThat(file).doesNotContain(t1).doesNotContain(t2);
    assertThat(file).contains("sha256:" + sha(t1.getBytes(StandardCharsets.UTF_8)));
    assertThat(file)
        .contains(
            "sha256:"
                + sha(t2.getBytes(StandardCharsets.UTF_8))
                + " read ns=pr-5 reads=main name=pr-5-");
    assertThat(Files.getPosixFilePermissions(tokensFile()))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(t1).isNotEqualTo(t2);
    Cmd.Result bad =
        Cmd.run(
            tmp,
            Map.of(),
            60,
            Dist.launcher().toString(),
            "token",
            "create",
            "--tokens",
            tokensFile().toString(),
            "--namespace",
            "Bad/NS");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--namespace Bad/NS").contains("a-z");
  }

  @Test
  void s40_tokensNeverInLogsErrorsOrMetrics() throws Exception {
    String writer = token("--read", "--write", "--name", "ci");
    String reader = token("--read", "--name", "dev");
    String revoked = token("--read", "--write", "--name", "gone");
    String scraper = token("--metrics", "--name", "scraper");
    ServeProcess s = serve();
    Path module = GoRun.tinyModule(tmp.resolve("mod"));
    // uploads refused (403), reads refused (401 after revocation), a wrong namespace (403)
    build(module, "reader", s, reader);
    revoke(revoked);
    Thread.sleep(1500);
    build(module, "revoked", s, revoked);
    build(module, "wrong-ns", s, writer, "--namespace", "pr-9");
    build(module, "writer", s, writer);
    String a = action("s40");
    put(s, "", a, "x", "Bearer-looking-" + writer);
    tokens.add("Bearer-looking-" + writer);
    get(s, "", a, writer + "x");
    String m = s.metrics(scraper);
    assertThat(m).contains("progcache_requests");
    assertThat(s.stop(30)).isIn(0, 143);
    outputs.add(s.stderr());
    outputs.add(m);
    String all = String.join("\n", outputs);
    // the reader's uploads are skipped quietly (its token says it may not write); the wrong
    // namespace refuses reads; the revoked token is not accepted
    assertThat(all).contains("refused reads").contains("did not accept the credentials");
    assertNoTokenIn("captured stderr of helpers, server and token create, and /metrics", all);
  }
}
