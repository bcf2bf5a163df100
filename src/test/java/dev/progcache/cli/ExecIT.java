package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Cmd;
import dev.progcache.testing.Dist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code progcache exec} and the launcher, as real processes. */
@Timeout(120)
class ExecIT {
  @TempDir Path dir;

  @Test
  void exec_setsGocacheprogWithTheSameFlagsAndForwardsExitStatus() throws Exception {
    String l = Dist.launcher().toString();
    Cmd.Result r =
        Cmd.run(
            dir,
            Map.of(),
            60,
            l,
            "exec",
            "--dir",
            dir.resolve("my dir").toString(),
            "-v",
            "--",
            "sh",
            "-c",
            "echo \"$GOCACHEPROG\"; exit 7");
    assertThat(r.code()).isEqualTo(7);
    assertThat(r.out().strip()).isEqualTo(l + " --dir '" + dir.resolve("my dir") + "' -v");
  }

  @Test
  void exec_withoutCommand_isAClearError() throws Exception {
    Cmd.Result r = Cmd.run(dir, Map.of(), 60, Dist.launcher().toString(), "exec", "--");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("exec needs a command");
  }

  @Test
  void exec_forwardsSigtermToTheCommand() throws Exception {
    Path marker = dir.resolve("started");
    ProcessBuilder pb =
        new ProcessBuilder(
            Dist.launcher().toString(),
            "exec",
            "--",
            "sh",
            "-c",
            "trap 'echo got-term; exit 143' TERM; touch "
                + marker
                + "; while :; do sleep 0.1; done");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.exists(marker) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(marker).exists();
    // SIGTERM to progcache exec (Process.destroy would also close our end of its pipes)
    new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(p.getInputStream().readAllBytes())).contains("got-term");
  }

  @Test
  void unknownSubcommandOrFlag_exitsTwoWithUsage() throws Exception {
    Cmd.Result r = Cmd.run(dir, Map.of(), 60, Dist.launcher().toString(), "frob");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("unknown subcommand \"frob\"").contains("progcache --help");
    Cmd.Result f = Cmd.run(dir, Map.of(), 60, Dist.launcher().toString(), "--nope");
    assertThat(f.code()).isEqualTo(2);
    assertThat(f.err()).contains("unknown flag --nope").contains("progcache --help");
    assertThat(f.err().strip().lines()).hasSize(1);
    assertThat(f.out()).as("nothing on stdout, not even a handshake, for a bad flag").isEmpty();
  }

  @Test
  void launcher_helpShortHelpAndVersion_onStdout_exitZero() throws Exception {
    for (String a : List.of("--help", "-h", "--version")) {
      Cmd.Result r = Cmd.run(dir, Map.of(), 60, Dist.launcher().toString(), a);
      assertThat(r.code()).as(a).isZero();
      assertThat(r.out())
          .as(a)
          .startsWith(a.equals("--version") ? "progcache " : "usage: progcache");
      assertThat(r.err()).as(a).isEmpty();
    }
  }

  @Test
  void launcher_withoutAnyJdk25_saysSoClearly() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("nojdks"));
    ProcessBuilder pb = new ProcessBuilder(Dist.launcher().toString(), "version");
    pb.environment().remove("JAVA_HOME");
    pb.environment().put("PATH", "/usr/bin:/bin");
    pb.environment().put("PROGCACHE_JDK_SEARCH_DIR", empty.toString());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(127);
    assertThat(new String(p.getInputStream().readAllBytes())).contains("no JDK >= 25 found");
  }

  @Test
  void launcher_version_printsOnlyTheVersion() throws Exception {
    Cmd.Result r = Cmd.run(dir, Map.of(), 60, Dist.launcher().toString(), "version").ok();
    assertThat(r.out()).startsWith("progcache ");
    assertThat(r.err()).isEmpty();
  }
}
