package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class RemoteNamespaceTest {
  private static RemoteSettings settings(List<String> flags, Map<String, String> env)
      throws Exception {
    HelperConfig c = HelperConfig.parse(flags, env, new ArrayList<>());
    return RemoteSettings.from(c, env).orElseThrow();
  }

  @Test
  void namespaceFlag_becomesThePathPrefix_andReadOnlyIsASwitch() throws Exception {
    RemoteSettings s =
        settings(
            List.of("--remote", "http://127.0.0.1:8421", "--namespace", "pr-123", "--read-only"),
            Map.of());
    assertThat(s.url().toString()).isEqualTo("http://127.0.0.1:8421/ns/pr-123/");
    assertThat(s.readOnly()).isTrue();
  }

  @Test
  void namespaceFromEnvironment_underAnExistingPrefix() throws Exception {
    RemoteSettings s =
        settings(
            List.of(),
            Map.of(
                "PROGCACHE_REMOTE",
                "https://cache.example/team/",
                "PROGCACHE_NAMESPACE",
                "main",
                "PROGCACHE_READ_ONLY",
                "1"));
    assertThat(s.url().toString()).isEqualTo("https://cache.example/team/ns/main/");
    assertThat(s.readOnly()).isTrue();
  }

  @Test
  void noNamespace_keepsTheUrl_andWrites() throws Exception {
    RemoteSettings s = settings(List.of("--remote", "http://127.0.0.1:1/"), Map.of());
    assertThat(s.url().toString()).isEqualTo("http://127.0.0.1:1/");
    assertThat(s.readOnly()).isFalse();
  }

  @Test
  void badNamespace_namesTheSettingAndTheRule() {
    assertThatThrownBy(
            () ->
                settings(
                    List.of("--remote", "http://127.0.0.1:1", "--namespace", "../main"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("PROGCACHE_NAMESPACE")
        .hasMessageContaining("\"../main\"")
        .hasMessageContaining("a-z 0-9");
  }
}
