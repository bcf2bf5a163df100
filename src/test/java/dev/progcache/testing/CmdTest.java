package dev.progcache.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * go exits before its GOCACHEPROG helper, which prints its summary on the stderr they share. The
 * JDK closes a child's pipes when the child exits, so such late lines were lost now and then (a
 * missing stats line failed a build test); {@link Cmd} must keep them.
 */
@Timeout(30)
class CmdTest {
  @TempDir Path tmp;

  @Test
  void keepsStderrWrittenAfterTheCommandExited_bySomethingItLeftRunning() throws Exception {
    Cmd.Result r =
        Cmd.run(
            tmp,
            Map.of(),
            20,
            "sh",
            "-c",
            "echo early >&2; (sleep 0.5; echo late >&2) & echo out; exit 3");
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.out()).isEqualTo("out\n");
    assertThat(r.err()).isEqualTo("early\nlate\n");
  }

  @Test
  void aCommandThatFillsBothPipes_finishes() throws Exception {
    // more than a pipe holds on each stream, stderr first: both must be drained at once
    Cmd.Result r =
        Cmd.run(
            tmp,
            Map.of(),
            20,
            "sh",
            "-c",
            "head -c 300000 /dev/zero | tr '\\0' e >&2; head -c 300000 /dev/zero | tr '\\0' o");
    assertThat(r.code()).isZero();
    assertThat(r.err()).hasSize(300_000);
    assertThat(r.out()).hasSize(300_000);
  }
}
