package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.HelperProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The helper's startup path stays free of the client, conform and server code. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HelperStartupIT {
  @TempDir Path dir;

  @Test
  void helperSession_loadsNoClientConformOrServerClasses() throws Exception {
    Path log = dir.resolve("classes.log");
    try (HelperProcess h =
        HelperProcess.start(
            Map.of("PROGCACHE_JAVA_OPTS", "-Xlog:class+load=info:file=" + log),
            "--dir",
            dir.resolve("c").toString())) {
      assertThat(h.readLine(30)).startsWith("{\"ID\":0");
      h.write("{\"ID\":1,\"Command\":\"close\"}\n");
      assertThat(h.readLine(30)).isEqualTo("{\"ID\":1}");
      assertThat(h.waitFor(30)).isZero();
    }
    String loaded = Files.readString(log);
    assertThat(loaded).contains("dev.progcache.cli.Main");
    assertThat(loaded)
        .doesNotContain("dev.progcache.conform.")
        .doesNotContain("dev.progcache.client.")
        .as("serve's settings are not the helper's")
        .doesNotContain("dev.progcache.server.");
  }
}
