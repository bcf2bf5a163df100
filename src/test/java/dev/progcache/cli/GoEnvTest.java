package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class GoEnvTest {
  @TempDir Path tmp;

  @Test
  void goCache_prefersGOCACHE() throws Exception {
    assertThat(new GoEnv(Map.of("GOCACHE", "/x/y", "HOME", "/h")).goCache())
        .isEqualTo(Path.of("/x/y"));
  }

  @Test
  void goCache_readsGoEnvFileWhenUnset() throws Exception {
    Path cfg = tmp.resolve("cfg");
    Files.createDirectories(cfg.resolve("go"));
    Files.writeString(cfg.resolve("go/env"), "GOFLAGS=-mod=mod\nGOCACHE=/from/envfile\n");
    assertThat(new GoEnv(Map.of("XDG_CONFIG_HOME", cfg.toString(), "HOME", "/h")).goCache())
        .isEqualTo(Path.of("/from/envfile"));
  }

  @Test
  void goCache_defaultsToXdgCacheHomeThenHome() throws Exception {
    assertThat(new GoEnv(Map.of("XDG_CACHE_HOME", "/xdg", "HOME", tmp.toString())).goCache())
        .isEqualTo(Path.of("/xdg/go-build"));
    assertThat(new GoEnv(Map.of("XDG_CACHE_HOME", "relative", "HOME", tmp.toString())).goCache())
        .isEqualTo(tmp.resolve(".cache/go-build"));
  }

  @Test
  void goCache_offOrRelative_isAClearError() {
    assertThatThrownBy(() -> new GoEnv(Map.of("GOCACHE", "off")).goCache())
        .hasMessageContaining("GOCACHE=off")
        .hasMessageContaining("--dir");
    assertThatThrownBy(() -> new GoEnv(Map.of("GOCACHE", "rel/dir")).goCache())
        .hasMessageContaining("not an absolute path");
    assertThatThrownBy(() -> new GoEnv(Map.of()).goCache()).hasMessageContaining("PROGCACHE_DIR");
  }

  @Test
  void helperConfig_flagBeatsEnvAndBadValuesNameTheKey() throws Exception {
    List<String> rest = new java.util.ArrayList<>();
    HelperConfig c =
        HelperConfig.parse(List.of("--dir", "/a", "-v", "go"), Map.of("PROGCACHE_DIR", "/b"), rest);
    assertThat(c.dir()).contains(Path.of("/a"));
    assertThat(c.verbose()).isTrue();
    assertThat(rest).containsExactly("go");
    assertThatThrownBy(
            () -> HelperConfig.parse(List.of(), Map.of("PROGCACHE_VERBOSE", "maybe"), rest))
        .hasMessageContaining("PROGCACHE_VERBOSE")
        .hasMessageContaining("maybe");
    assertThatThrownBy(() -> HelperConfig.parse(List.of("--bogus"), Map.of(), rest))
        .hasMessageContaining("unknown flag --bogus");
  }
}
