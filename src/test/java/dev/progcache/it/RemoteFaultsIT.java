package dev.progcache.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.FaultServer;
import dev.progcache.testing.FaultServer.Mode;
import dev.progcache.testing.GoRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reliability cases 22–30 of docs/reliability.md: a real go build through the real helper whose
 * shared cache misbehaves. In every case the build succeeds and go never sees an Err.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class RemoteFaultsIT {
  static final String TOKEN = "it-secret-token-0123456789";
  @TempDir static Path tmp;
  private FaultServer server;
  private Path module;
  private int run;

  @BeforeAll
  void seed() throws Exception {
    server = FaultServer.start("127.0.0.1");
    module = GoRun.tinyModule(tmp.resolve("mod"));
    GoRun.Result r = build();
    assertBuilt(r);
    assertThat(server.store()).as("the seeding build uploaded its outputs").isNotEmpty();
    assertThat(r.stat("remote-uploads")).isEqualTo(r.stat("puts"));
    assertThat(r.stat("remote-bytes-up"))
        .as("stderr:\n%s", r.stderr())
        .isEqualTo(r.stat("bytes-in"))
        .isPositive();
  }

  @AfterAll
  void stop() {
    server.close();
  }

  /** Short, so hanging servers cost little; cases that must see an answer raise it. */
  private String remoteTimeout = "1s";

  private GoRun.Result build() throws IOException, InterruptedException {
    Map<String, String> env =
        Map.of(
            "PROGCACHE_TOKEN",
            TOKEN,
            "PROGCACHE_REMOTE_TIMEOUT",
            remoteTimeout,
            "PROGCACHE_REMOTE_DRAIN",
            "1s",
            "PROGCACHE_REMOTE_BREAKER_OPEN",
            "60s");
    return GoRun.buildWithRemote(module, tmp.resolve("run" + run++), server.url(), env, 240);
  }

  private GoRun.Result buildWith(Mode m) throws IOException, InterruptedException {
    server.mode(m);
    try {
      return build();
    } finally {
      server.mode(Mode.NORMAL);
    }
  }

  private static void assertBuilt(GoRun.Result r) {
    assertThat(r.exit()).as("go build exit; stderr:\n%s", r.stderr()).isZero();
    assertThat(r.hasStats()).as("stats line; stderr:\n%s", r.stderr()).isTrue();
    assertThat(r.stat("errors")).as("Errs sent to go; stderr:\n%s", r.stderr()).isZero();
    assertThat(r.stderr()).doesNotContain(TOKEN);
  }

  @Test
  void case14_warmServer_freshDir_allRemoteHits() throws Exception {
    GoRun.Result r = build();
    assertBuilt(r);
    // every get the server could answer was a remote hit (go may ask for a few actions that
    // the seeding build never produced)
    // (the 1 s get deadline of these tests can expire on a loaded machine: no check on errors)
    assertThat(r.stat("remote-hits"))
        .as("stderr:\n%s", r.stderr())
        .isEqualTo(r.stat("hits"))
        .isPositive();
    assertThat(r.stat("misses")).as("stderr:\n%s", r.stderr()).isLessThanOrEqualTo(2);
    assertThat(r.stat("remote-bytes-down")).as("stderr:\n%s", r.stderr()).isPositive();
  }

  @Test
  void case22_http500_buildSucceeds() throws Exception {
    GoRun.Result r = buildWith(Mode.ERROR_500);
    assertBuilt(r);
    assertThat(r.stat("remote-errors")).isPositive();
    assertThat(r.stat("remote-hits")).isZero();
  }

  @Test
  void case23_serverHangs_buildSucceeds() throws Exception {
    GoRun.Result r = buildWith(Mode.HANG);
    assertBuilt(r);
    assertThat(r.stat("remote-errors")).isPositive();
    assertThat(r.stat("remote-skipped")).as("breaker opened").isPositive();
  }

  @Test
  void case24_trickle_buildSucceeds() throws Exception {
    GoRun.Result r = buildWith(Mode.TRICKLE);
    assertBuilt(r);
    assertThat(r.stat("remote-hits")).isZero();
  }

  @Test
  void case25_truncatedBody_isMiss_buildSucceeds() throws Exception {
    GoRun.Result r = buildWith(Mode.TRUNCATE);
    assertBuilt(r);
    assertThat(r.stat("remote-hits")).isZero();
    assertThat(r.stat("remote-errors")).isPositive();
  }

  @Test
  void case26_wrongBytes_missCountedLoggedOnce_buildSucceeds() throws Exception {
    GoRun.Result r = buildWith(Mode.WRONG_BYTES);
    assertBuilt(r);
    assertThat(r.stat("remote-hits")).isZero();
    assertThat(r.stat("remote-corrupt")).isPositive();
    assertThat(r.stderr().lines().filter(l -> l.contains("sent a bad object")).count())
        .isEqualTo(1);
  }

  @Test
  void case27_hostileIds_nothingWrittenOutsideCache_buildSucceeds() throws Exception {
    GoRun.Result r = buildWith(Mode.HOSTILE_IDS);
    assertBuilt(r);
    assertThat(r.stat("remote-hits")).isZero();
    try (Stream<Path> s = Files.list(Path.of("/tmp"))) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith("progcache-hostile-")))
          .isEmpty();
    }
  }

  @Test
  void case28_unauthorized401_reportedOnceWithHint_tierOff_buildSucceeds() throws Exception {
    // a new package: go puts what it built, and no upload may be tried after the 401
    GoRun.Result r = buildFreshModuleWith(Mode.UNAUTHORIZED_401);
    assertBuilt(r);
    assertThat(r.stderr().lines().filter(l -> l.contains("did not accept the credentials")).count())
        .as("stderr:\n%s", r.stderr())
        .isEqualTo(1);
    assertThat(r.stderr()).contains("PROGCACHE_TOKEN").doesNotContain("refused uploads");
    assertThat(r.stat("puts")).isPositive();
    assertThat(r.stat("remote-uploads")).isZero();
  }

  @Test
  void case28_forbidden403_reportedOnce_buildSucceeds() throws Exception {
    GoRun.Result r = buildWith(Mode.FORBIDDEN_403);
    assertBuilt(r);
    assertThat(r.stderr().lines().filter(l -> l.contains("refused reads")).count()).isEqualTo(1);
  }

  @Test
  void case28_readOnlyToken_readsStillHit_uploadsOff() throws Exception {
    GoRun.Result r =
        buildFreshModuleWith(Mode.READ_ONLY_403_ON_PUT); // go puts; the upload is refused
    assertBuilt(r);
    assertThat(r.stat("remote-hits")).isPositive();
    assertThat(r.stderr().lines().filter(l -> l.contains("refused uploads")).count())
        .as("stderr:\n%s", r.stderr())
        .isEqualTo(1);
    assertThat(r.stat("remote-uploads")).isZero();
  }

  @Test
  void case28_throttled429_pausesRemote_buildSucceeds() throws Exception {
    GoRun.Result r = buildWith(Mode.THROTTLE_429);
    assertBuilt(r);
    assertThat(r.stderr()).contains("back off");
    assertThat(r.stat("remote-skipped")).isPositive();
  }

  @Test
  void case29_uploadTooLarge413_buildSucceeds() throws Exception {
    GoRun.Result r = buildFreshModuleWith(Mode.TOO_LARGE_413);
    assertBuilt(r);
    assertThat(r.stat("remote-upload-rejected")).isPositive();
  }

  @Test
  void case29_serverFull507_buildSucceeds() throws Exception {
    GoRun.Result r = buildFreshModuleWith(Mode.FULL_507);
    assertBuilt(r);
    assertThat(r.stat("remote-upload-errors") + r.stat("remote-upload-dropped")).isPositive();
  }

  /**
   * Builds the module with a package new to the server (so the build puts something), the server in
   * mode {@code m} meanwhile.
   */
  private GoRun.Result buildFreshModuleWith(Mode m) throws IOException, InterruptedException {
    Path extra = module.resolve("extra_" + run + ".go");
    Files.writeString(extra, "package main\n\nvar extra" + run + " = " + run + "\n");
    server.mode(m);
    try {
      return build();
    } finally {
      server.mode(Mode.NORMAL);
      Files.delete(extra);
    }
  }

  @Test
  void case30_redirectToAnotherHost_notFollowed_tokenNotSent() throws Exception {
    FaultServer other;
    try {
      other = FaultServer.start("127.0.0.2");
    } catch (IOException e) {
      other = FaultServer.start("localhost"); // same machine, another origin (port) all the same
    }
    try (FaultServer o = other) {
      o.store().putAll(server.store());
      server.redirectTo(o.url());
      remoteTimeout = "20s"; // the redirect must be answered, not timed out, on a loaded machine
      GoRun.Result r;
      try {
        r = buildWith(Mode.REDIRECT_ELSEWHERE);
      } finally {
        remoteTimeout = "1s";
      }
      assertBuilt(r);
      assertThat(o.requests()).as("requests that reached the other host").isZero();
      assertThat(o.authorizations()).isEmpty();
      assertThat(r.stderr()).contains("refused a redirect");
    }
  }
}
