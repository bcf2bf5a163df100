package dev.progcache.remote.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class S3LocationTest {
  @Test
  void parse_bucketAndPrefix_defaultsToAwsVirtualHostStyle() {
    S3Location l = S3Location.parse("s3://team-cache/go/ci/", Map.of(), "--s3");
    assertThat(l).isEqualTo(new S3Location("team-cache", "go/ci", "us-east-1", null, false));
    assertThat(l.actionKey("ab")).isEqualTo("go/ci/a/ab");
    assertThat(l.describe()).isEqualTo("s3://team-cache/go/ci");
  }

  @Test
  void parse_endpointRegionAndPathStyle_fromEnvironment() {
    S3Location l =
        S3Location.parse(
            "s3://b1c",
            Map.of("PROGCACHE_S3_ENDPOINT", "http://127.0.0.1:9000", "AWS_REGION", "eu-west-1"),
            "--s3");
    assertThat(l.endpoint()).isEqualTo(URI.create("http://127.0.0.1:9000"));
    assertThat(l.region()).isEqualTo("eu-west-1");
    assertThat(l.pathStyle()).isTrue();
    assertThat(l.actionKey("ab")).isEqualTo("a/ab");
    assertThat(
            S3Location.parse(
                    "s3://b1c",
                    Map.of(
                        "PROGCACHE_S3_REGION",
                        "auto",
                        "AWS_REGION",
                        "x",
                        "PROGCACHE_S3_PATH_STYLE",
                        "0"),
                    "--s3")
                .region())
        .isEqualTo("auto");
  }

  @Test
  void parse_badInput_saysWhatIsWrong() {
    assertThatThrownBy(() -> S3Location.parse("http://b/x", Map.of(), "--s3"))
        .hasMessageContaining("s3://bucket");
    assertThatThrownBy(() -> S3Location.parse("s3://A_B", Map.of(), "--s3"))
        .hasMessageContaining("not a valid bucket name");
    assertThatThrownBy(
            () ->
                S3Location.parse(
                    "s3://bkt", Map.of("PROGCACHE_S3_ENDPOINT", "http://k:s@h:1"), "--s3"))
        .hasMessageContaining("must not carry credentials")
        .hasMessageNotContaining("k:s");
    assertThatThrownBy(
            () -> S3Location.parse("s3://bkt", Map.of("PROGCACHE_S3_PATH_STYLE", "maybe"), "--s3"))
        .hasMessageContaining("PROGCACHE_S3_PATH_STYLE");
  }
}
