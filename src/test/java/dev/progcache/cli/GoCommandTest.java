package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class GoCommandTest {
  @TempDir Path tmp;

  @Test
  void parentPid_isTheFieldAfterTheState_evenWhenTheNameHoldsSpacesAndParentheses() {
    assertThat(GoCommand.parentPid("4242 (java) S 4100 4242 4100 0 -1")).isEqualTo(4100);
    assertThat(GoCommand.parentPid("77 (a (b) c) R 12 77 12 0")).isEqualTo(12);
    assertThat(GoCommand.parentPid("garbage")).isEqualTo(-1);
  }

  @Test
  void fromCmdline_isGosSecondArgument_whenTheFirstIsGo() {
    assertThat(GoCommand.fromCmdline("go\0build\0./...\0")).contains("build");
    assertThat(GoCommand.fromCmdline("/usr/lib/go-1.27/bin/go\0test\0-count=1\0./...\0"))
        .contains("test");
    assertThat(GoCommand.fromCmdline("/home/u/sdk/go1.27.4/bin/go1.27.4\0vet\0")).contains("vet");
    assertThat(GoCommand.fromCmdline("go\0")).isEmpty();
    assertThat(GoCommand.fromCmdline("java\0build\0")).as("not go").isEmpty();
    assertThat(GoCommand.fromCmdline("gopls\0build\0")).isEmpty();
    assertThat(GoCommand.fromCmdline("go\0-C\0dir\0")).as("not a command").isEmpty();
    assertThat(GoCommand.fromCmdline("go\0Build; rm\0")).isEmpty();
  }

  @Test
  void ofParentOf_aProcessStartedByAGoNamedProgram_isItsCommand() throws Exception {
    // a stand-in for go: /bin/sh under the name go, running the script named test (its
    // cmdline reads "go test"), whose child stands for the helper
    Path go = Files.createSymbolicLink(tmp.resolve("go"), Path.of("/bin/sh"));
    Files.writeString(tmp.resolve("test"), "sleep 20 &\necho $!\nwait\n");
    Process p = new ProcessBuilder(go.toString(), "test").directory(tmp.toFile()).start();
    try (var out =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(
                p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
      long child = Long.parseLong(out.readLine().strip());
      assertThat(GoCommand.ofParentOf(child)).contains("test");
    } finally {
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
      Files.delete(go);
    }
    assertThat(GoCommand.ofThisProcess())
        .as("the test JVM's parent is not go")
        .isEqualTo(Optional.empty());
    assertThat(GoCommand.ofParentOf(0)).isEmpty();
  }
}
