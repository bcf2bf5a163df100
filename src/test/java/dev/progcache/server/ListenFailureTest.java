package dev.progcache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** serve's start-up failures say what is wrong in words, not in the JDK's or Jetty's. */
@Timeout(60)
class ListenFailureTest {
  @TempDir Path tmp;

  private static final ServeConfig.Limits LIMITS =
      new ServeConfig.Limits(1 << 30, 1 << 20, 16, Duration.ofSeconds(10), 8192, 4096);

  private final PrintStream quiet =
      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

  @Test
  void portInUse_saysSo_andHowToChooseAnother() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThatThrownBy(
              () ->
                  CacheServer.start(
                      ServeConfig.onDisk("127.0.0.1", port, tmp.resolve("s"), null, LIMITS, false),
                      quiet))
          .isInstanceOf(ServeException.class)
          .hasMessageContaining("cannot listen on 127.0.0.1:" + port + ": the port is in use")
          .hasMessageContaining("--listen")
          .satisfies(
              e ->
                  assertThat(e.getMessage())
                      .doesNotContain("Failed to bind")
                      .doesNotContain("Exception"));
    }
  }

  @Test
  void storageDirectoryThatIsAFile_saysNotADirectory() throws Exception {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertThatThrownBy(
            () ->
                CacheServer.start(
                    ServeConfig.onDisk("127.0.0.1", 0, file.resolve("sub"), null, LIMITS, false),
                    quiet))
        .isInstanceOf(ServeException.class)
        .hasMessageContaining("cannot open the storage directory " + file.resolve("sub"))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Exception"));
  }
}
