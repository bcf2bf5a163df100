package dev.progcache.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.FaultServer;
import dev.progcache.testing.FaultServer.Mode;
import dev.progcache.testing.HelperProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Write-behind at close: go's close is answered and the helper's stdout ends at once, while an
 * upload to a server that never answers is given the drain deadline and then dropped, counted.
 */
@Timeout(120)
class UploadDrainIT {
  private static final long DRAIN_MS = 6_000;
  @TempDir Path tmp;

  @Test
  void closeAnswered_andStdoutEnds_beforeTheDrain_thenTheHangingUploadIsDropped() throws Exception {
    closeReleasesGoBeforeTheDrain(Map.of());
  }

  /**
   * With JVM options the launcher stays as the JVM's parent (to start it again without them if they
   * are refused); it must not keep go's stdout open meanwhile, or go waits for the drain.
   */
  @Test
  void theSame_withJvmOptions_theLauncherLetsGoOfStdout() throws Exception {
    closeReleasesGoBeforeTheDrain(Map.of("PROGCACHE_JAVA_OPTS", "-Xmx64m"));
  }

  private void closeReleasesGoBeforeTheDrain(Map<String, String> more) throws Exception {
    try (FaultServer server = FaultServer.start("127.0.0.1")) {
      server.mode(Mode.HANG);
      Map<String, String> env = new HashMap<>(more);
      env.put("PROGCACHE_REMOTE", server.url().toString());
      env.put("PROGCACHE_REMOTE_DRAIN", DRAIN_MS + "ms");
      env.put("PROGCACHE_PREFETCH", "false");
      try (HelperProcess h = HelperProcess.start(env, "--dir", tmp.resolve("c").toString(), "-v")) {
        assertThat(h.readLine(30)).contains("KnownCommands");
        byte[] body = "an output the server will never take".getBytes(StandardCharsets.UTF_8);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        String action =
            Base64.getEncoder()
                .encodeToString(sha.digest("drain".getBytes(StandardCharsets.UTF_8)));
        String output = Base64.getEncoder().encodeToString(sha.digest(body));
        h.write(
            "{\"ID\":1,\"Command\":\"put\",\"ActionID\":\""
                + action
                + "\",\"OutputID\":\""
                + output
                + "\",\"BodySize\":"
                + body.length
                + "}\n\""
                + Base64.getEncoder().encodeToString(body)
                + "\"\n");
        assertThat(h.readLine(30)).startsWith("{\"ID\":1,").contains("\"DiskPath\"");
        // the upload is now running against a server that reads and never answers
        long t0 = System.nanoTime();
        h.write("{\"ID\":2,\"Command\":\"close\"}\n");
        assertThat(h.readLine(30)).isEqualTo("{\"ID\":2}");
        assertThat(h.readLine(30)).as("stdout ends after the close answer").isNull();
        long eofMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(h.waitFor(60)).isZero();
        long exitMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(eofMs)
            .as("go is released before the drain (%d ms)", DRAIN_MS)
            .isLessThan(DRAIN_MS / 2);
        assertThat(exitMs)
            .as("the helper waited for the upload")
            .isGreaterThanOrEqualTo(DRAIN_MS - 500);
        assertThat(h.stderr())
            .contains("remote-upload-dropped=1")
            .contains("drain deadline")
            .doesNotContainPattern("remote-upload-errors=[1-9]")
            .doesNotContainPattern("remote-uploads=[1-9]");
      }
    }
  }
}
