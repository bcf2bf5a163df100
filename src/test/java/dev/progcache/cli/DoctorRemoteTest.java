package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.server.CacheServer;
import dev.progcache.server.ServeConfig;
import dev.progcache.server.auth.TokenCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** doctor's shared-tier and settings checks against a real server on loopback. */
@Timeout(60)
class DoctorRemoteTest {
  @TempDir Path tmp;

  private static HelperConfig cfg(Map<String, String> env, String... flags) {
    return HelperConfig.lenient(List.of(flags), env).withConfigFileLeniently();
  }

  private CacheServer server(Path tokens) throws Exception {
    return CacheServer.start(
        ServeConfig.onDisk(
            "127.0.0.1",
            0,
            tmp.resolve("store"),
            tokens,
            new ServeConfig.Limits(1 << 30, 1 << 20, 16, Duration.ofSeconds(10), 8192, 4096),
            false),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
  }

  private String token(Path tokens, String... grants) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> args = new ArrayList<>(List.of("create", "--tokens", tokens.toString()));
    args.addAll(List.of(grants));
    int rc =
        TokenCommand.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertThat(rc).isZero();
    return out.toString(StandardCharsets.UTF_8).strip();
  }

  @Test
  void remote_readWriteToken_ok_readOnlyToken_warns_noToken_fails() throws Exception {
    Path tokens = tmp.resolve("tokens");
    String rw = token(tokens, "--read", "--write");
    String ro = token(tokens, "--read");
    try (CacheServer s = server(tokens)) {
      Map<String, String> env = new HashMap<>(Map.of("HOME", tmp.toString()));
      env.put("PROGCACHE_REMOTE", s.url().toString());
      env.put("PROGCACHE_TOKEN", rw);
      assertThat(DoctorBuildChecks.remote(cfg(env), env))
          .satisfies(r -> assertThat(r.level()).isEqualTo(Doctor.Result.Level.OK))
          .satisfies(r -> assertThat(r.detail()).contains("may read and write"));
      env.put("PROGCACHE_TOKEN", ro);
      Doctor.Result readOnly = DoctorBuildChecks.remote(cfg(env), env);
      assertThat(readOnly.level()).isEqualTo(Doctor.Result.Level.WARN);
      assertThat(readOnly.detail()).contains("allows reads but not writes");
      assertThat(DoctorBuildChecks.remote(cfg(env, "--read-only"), env).level())
          .isEqualTo(Doctor.Result.Level.OK);
      env.remove("PROGCACHE_TOKEN");
      Doctor.Result none = DoctorBuildChecks.remote(cfg(env), env);
      assertThat(none.level()).isEqualTo(Doctor.Result.Level.FAIL);
      assertThat(none.detail()).contains("refuses reads with no token");
      assertThat(none.fix()).contains("PROGCACHE_TOKEN");
    }
  }

  @Test
  void remote_down_fails_withTheAddressAndAFix() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Map<String, String> env =
        Map.of("HOME", tmp.toString(), "PROGCACHE_REMOTE", "http://127.0.0.1:" + port);
    Doctor.Result r = DoctorBuildChecks.remote(cfg(env), env);
    assertThat(r.level()).isEqualTo(Doctor.Result.Level.FAIL);
    assertThat(r.detail()).contains("127.0.0.1:" + port + " does not answer");
    assertThat(r.fix()).contains("start the server");
  }

  @Test
  void settings_badValues_failNamingEach_andDoctorExitsOne() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("HOME", tmp.toString());
    env.put("PATH", "");
    env.put("PROGCACHE_MAX_SIZE", "banana");
    env.put("PROGCACHE_REMOTE", "ftp://x");
    Doctor.Result r = DoctorBuildChecks.settings(cfg(env), env);
    assertThat(r.level()).isEqualTo(Doctor.Result.Level.FAIL);
    assertThat(r.detail())
        .contains("PROGCACHE_MAX_SIZE: bad value \"banana\" for max-size")
        .contains("ftp://x");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
    int rc = Admin.run("doctor", List.of(), new Admin.Context(env, ps, ps, System::nanoTime));
    assertThat(rc).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("FAIL  config").contains("banana");
  }
}
