package dev.progcache.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Dist;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The AWS SDK costs nothing unless a bucket is configured: none of its classes is loaded. */
@Timeout(120)
class S3LazyLoadIT {
  @TempDir Path tmp;

  private String classesLoaded(String name, Map<String, String> env) throws Exception {
    Path log = tmp.resolve(name + ".classes");
    ProcessBuilder pb =
        new ProcessBuilder(
                List.of(Dist.launcher().toString(), "--dir", tmp.resolve("c").toString()))
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().putAll(env);
    pb.environment().put("PROGCACHE_JAVA_OPTS", "-Xlog:class+load:file=" + log);
    Process p = pb.start();
    try (InputStream in = p.getInputStream();
        OutputStream out = p.getOutputStream()) {
      byte[] first = new byte[7];
      assertThat(in.readNBytes(first, 0, 7)).isEqualTo(7);
      assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo("{\"ID\":0");
      out.write("{\"ID\":1,\"Command\":\"close\"}\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      in.readAllBytes();
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return Files.readString(log);
  }

  @Test
  void noBucketConfigured_noSdkClassLoaded_bucketConfigured_sdkLoadedInBackground()
      throws Exception {
    String plain = classesLoaded("plain", Map.of());
    assertThat(plain).doesNotContain("software.amazon.awssdk");
    // the settings' record of a bucket may come in with RemoteSettings, whose links the AOT cache
    // resolved in training (the daemon keys its shared tiers on the settings); nothing of the tier
    assertThat(
            plain
                .lines()
                .filter(l -> l.contains("dev.progcache.remote.s3."))
                .filter(l -> !l.contains("dev.progcache.remote.s3.S3Location "))
                .toList())
        .as("classes of the S3 tier")
        .isEmpty();
    String s3 =
        classesLoaded(
            "s3",
            Map.of(
                "PROGCACHE_S3", "s3://lazy-bucket",
                "PROGCACHE_S3_ENDPOINT", "http://127.0.0.1:9",
                "AWS_ACCESS_KEY_ID", "AKIALAZY",
                "AWS_SECRET_ACCESS_KEY", "lazy",
                "AWS_EC2_METADATA_DISABLED", "true"));
    assertThat(s3).contains("dev.progcache.remote.s3.S3Tier");
  }
}
