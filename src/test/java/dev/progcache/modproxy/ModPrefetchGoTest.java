package dev.progcache.modproxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cli.ModPrefetch;
import dev.progcache.server.CacheServer;
import dev.progcache.testing.Cmd;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code progcache mod prefetch} against {@code serve --modproxy}, then the real go reading the
 * fetched directory alone ({@code GOPROXY=file://DIR,off}).
 */
@Timeout(240)
class ModPrefetchGoTest {
  @TempDir Path tmp;
  private Fixture fx;

  @BeforeEach
  void setUp() throws Exception {
    fx = new Fixture(tmp);
  }

  @AfterEach
  void tearDown() {
    fx.close();
  }

  private record Run(int code, String out, String err) {}

  private static Run prefetch(String proxy, Path app, Path dir) throws Exception {
    return prefetch(proxy, app, dir, Map.of());
  }

  private static Run prefetch(String proxy, Path app, Path dir, Map<String, String> env)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        ModPrefetch.run(
            List.of(
                "prefetch",
                "--proxy",
                proxy,
                "--go-sum",
                app.resolve("go.sum").toString(),
                "--dir",
                dir.toString()),
            env,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void goBuildsFromThePrefetchedDirectoryAlone_andATamperedFileIsRefusedByGo() throws Exception {
    CacheServer s =
        fx.serve(
            "srv", Fixture.settings(fx.upstream.url().toString(), Duration.ofSeconds(60)), null);
    String proxy = s.url().resolve("mod").toString();
    Path app = ModuleTree.mainModule(tmp.resolve("app"));
    // a first download through the server writes the project's go.sum, as a repository holds it
    Fixture.go(app, fx.goEnv(URI.create(proxy), tmp.resolve("mc0")), "mod", "download", "all").ok();
    Path dir = tmp.resolve("prefetched");

    Run first = prefetch(proxy, app, dir);

    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out().trim())
        .isEqualTo(dir.toUri().toString().replaceFirst("/$", "") + "," + proxy);
    assertThat(first.err()).contains(" 0 not there, 0 failed, 0 waits");
    for (String f :
        List.of(
            "example.com/a/@v/v1.1.0.zip",
            "example.com/a/@v/v1.1.0.mod",
            "example.com/!upper/!lib/@v/v0.1.0.zip",
            "example.com/old/@v/v2.0.0+incompatible.zip",
            "example.com/old/@v/v2.0.0+incompatible.info")) {
      assertThat(dir.resolve(f)).as(f).hasSameBinaryContentAs(fx.upstreamRoot.resolve(f));
    }
    // go with nothing but the directory: every file it needs is there
    Map<String, String> env = fx.goEnv(URI.create("http://unused.invalid/"), tmp.resolve("mc1"));
    env.put("GOPROXY", dir.toUri() + ",off");
    Fixture.go(app, env, "mod", "download").ok();
    Fixture.go(app, env, "build", "-o", tmp.resolve("app.bin").toString(), ".").ok();
    Cmd.Result run = Cmd.run(app, Map.of(), 30, List.of(tmp.resolve("app.bin").toString())).ok();
    assertThat(run.err()).contains("example.com/a v1.1.0", "example.com/Upper/Lib v0.1.0");

    // a second run finds everything in place and asks the server for nothing
    Run again = prefetch(proxy, app, dir);
    assertThat(again.code()).isZero();
    assertThat(again.err())
        .containsPattern(": 0 files \\(.*\\) fetched, [1-9][0-9]* already there");

    // a file changed in the directory: go checks it against go.sum and refuses it
    Path zip = dir.resolve("example.com/a/@v/v1.1.0.zip");
    Files.write(
        zip,
        ModuleTree.zip(
            "example.com/a@v1.1.0/",
            Map.of("a.go", "package a\n\nfunc Version() string { return \"evil\" }\n")));
    env.put("GOMODCACHE", tmp.resolve("mc2").toString());
    Cmd.Result refused = Fixture.go(app, env, "mod", "download");
    assertThat(refused.code()).isNotZero();
    assertThat(refused.err()).contains("checksum mismatch");
  }

  /** The test module, its go.sum written by a download through a server without limits. */
  private Path appWithGoSum() throws Exception {
    CacheServer free =
        fx.serve(
            "free", Fixture.settings(fx.upstream.url().toString(), Duration.ofSeconds(60)), null);
    Path app = ModuleTree.mainModule(tmp.resolve("app"));
    Fixture.go(
            app,
            fx.goEnv(URI.create(free.url().resolve("mod").toString()), tmp.resolve("mc0")),
            "mod",
            "download",
            "all")
        .ok();
    return app;
  }

  @Test
  void filesRefusedByTheServersRate_areAskedForAgain_untilAllArrive() throws Exception {
    Path app = appWithGoSum();
    CacheServer limited =
        fx.serve(
            "limited",
            Fixture.settings(fx.upstream.url().toString(), Duration.ofSeconds(60)).withRate(3),
            null);
    Path dir = tmp.resolve("prefetched");

    Run r = prefetch(limited.url().resolve("mod").toString(), app, dir);

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains(" 0 not there, 0 failed, ").doesNotContain("failed, 0 waits");
    assertThat(dir.resolve("example.com/!upper/!lib/@v/v0.1.0.zip"))
        .hasSameBinaryContentAs(fx.upstreamRoot.resolve("example.com/!upper/!lib/@v/v0.1.0.zip"));
  }

  @Test
  void aServerWithTokens_takesTheOneFromTheTokenFile_andWithoutItNothingIsWritten()
      throws Exception {
    Path app = appWithGoSum();
    Path tokens = tmp.resolve("tokens");
    Files.writeString(tokens, "modules-token-0123456789 modules ci\n");
    Path tokenFile = tmp.resolve("token");
    Files.writeString(tokenFile, "modules-token-0123456789\n");
    CacheServer locked =
        fx.serve(
            "locked",
            Fixture.settings(fx.upstream.url().toString(), Duration.ofSeconds(60)),
            tokens);
    String proxy = locked.url().resolve("mod").toString();

    Run refused = prefetch(proxy, app, tmp.resolve("d1"));
    Run allowed =
        prefetch(
            proxy, app, tmp.resolve("d2"), Map.of("PROGCACHE_TOKEN_FILE", tokenFile.toString()));

    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err()).contains("HTTP 401").contains("0 files (");
    assertThat(tmp.resolve("d1/example.com/a/@v/v1.1.0.zip")).doesNotExist();
    assertThat(allowed.code()).as(allowed.err()).isZero();
    assertThat(tmp.resolve("d2/example.com/a/@v/v1.1.0.zip"))
        .hasSameBinaryContentAs(fx.upstreamRoot.resolve("example.com/a/@v/v1.1.0.zip"));
  }
}
