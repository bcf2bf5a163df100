package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RemoteSettingsS3Test {
  private static Optional<RemoteSettings> settings(List<String> args, Map<String, String> env)
      throws ConfigException {
    return RemoteSettings.from(HelperConfig.parse(args, env, new ArrayList<>()), env);
  }

  @Test
  void s3Flag_readOnlyFlag_parsed() throws Exception {
    RemoteSettings r =
        settings(List.of("--s3", "s3://bkt/p", "--read-only"), Map.of()).orElseThrow();
    assertThat(r.s3()).isNotNull();
    assertThat(r.s3().bucket()).isEqualTo("bkt");
    assertThat(r.url()).isNull();
    assertThat(r.readOnly()).isTrue();
  }

  @Test
  void s3FromEnvironment_readOnlyFromEnvironment() throws Exception {
    RemoteSettings r =
        settings(List.of(), Map.of("PROGCACHE_S3", "s3://bkt", "PROGCACHE_READ_ONLY", "1"))
            .orElseThrow();
    assertThat(r.s3().prefix()).isEmpty();
    assertThat(r.readOnly()).isTrue();
    assertThat(settings(List.of(), Map.of())).isEmpty();
  }

  @Test
  void remoteAndS3Together_isAClearError() {
    assertThatThrownBy(
            () -> settings(List.of("--s3=s3://bkt", "--remote", "http://127.0.0.1:1"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not both");
    assertThatThrownBy(() -> settings(List.of("--s3", "bkt"), Map.of()))
        .hasMessageContaining("s3://bucket");
  }
}
