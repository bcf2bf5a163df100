package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Key;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class BuildContextTest {
  @TempDir Path tmp;

  @Test
  void module_isFoundFromASubdirectoryUpward() throws Exception {
    Files.writeString(
        tmp.resolve("go.mod"), "// comment\nmodule example.com/app // main\n\ngo 1.24\n");
    Path sub = Files.createDirectories(tmp.resolve("cmd/tool"));
    assertThat(BuildContext.module(sub)).contains("example.com/app");
    Map<String, String> env = Map.of("GOVERSION", "go1.27.4", "GOOS", "linux", "GOARCH", "amd64");
    assertThat(BuildContext.key(env, sub, Optional.empty()))
        .isEqualTo(BuildContext.key(env, tmp, Optional.empty()));
  }

  @Test
  void key_changesWithGoVersionTargetAndFlags_butNotWithUnrelatedEnv() throws Exception {
    Files.writeString(tmp.resolve("go.mod"), "module m\n");
    Map<String, String> env =
        new HashMap<>(Map.of("GOVERSION", "go1.27.4", "GOOS", "linux", "GOARCH", "amd64"));
    Key base = BuildContext.key(env, tmp, Optional.empty());
    env.put("HOME", "/elsewhere");
    assertThat(BuildContext.key(env, tmp, Optional.empty())).isEqualTo(base);
    for (String[] change :
        new String[][] {
          {"GOVERSION", "go1.27.5"}, {"GOARCH", "arm64"}, {"CGO_ENABLED", "0"}, {"GOFLAGS", "-race"}
        }) {
      Map<String, String> e = new HashMap<>(env);
      e.put(change[0], change[1]);
      assertThat(BuildContext.key(e, tmp, Optional.empty())).as(change[0]).isNotEqualTo(base);
    }
    assertThat(BuildContext.key(env, tmp, Optional.of("ci-linux")))
        .isNotEqualTo(base)
        .isEqualTo(BuildContext.key(Map.of(), tmp.resolve("x"), Optional.of("ci-linux")));
  }

  @Test
  void goVersion_fallsBackToGorootVersionFile() throws Exception {
    Files.writeString(tmp.resolve("VERSION"), "go1.26.1\ntime 2026-01-01T00:00:00Z\n");
    assertThat(BuildContext.goVersion(Map.of("GOROOT", tmp.toString()))).isEqualTo("go1.26.1");
    assertThat(BuildContext.goVersion(Map.of("GOVERSION", "go1.27.4", "GOROOT", tmp.toString())))
        .isEqualTo("go1.27.4");
    assertThat(BuildContext.goVersion(Map.of("GOROOT", tmp.resolve("none").toString()))).isEmpty();
  }
}
