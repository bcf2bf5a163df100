package dev.progcache.conform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Dist;
import dev.progcache.testing.FakeHelper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code progcache conform} against progcache itself and against helpers with one fault each. */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConformIT {
  @TempDir Path dir;

  private record Run(int status, String out) {}

  private static Run run(List<String> args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        Conform.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        status, out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void conform_onProgcacheThroughLauncher_passesEveryCase() throws Exception {
    String launcher = Dist.launcher().toString();
    Process p =
        new ProcessBuilder(
                launcher, "conform", "--", launcher, "--dir", dir.resolve("c").toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(out).contains("conform: 18 passed, 0 failed, 0 skipped, 0 warnings, of 18 cases");
    assertThat(out).doesNotContain("FAIL ");
    assertThat(p.exitValue()).as(out).isZero();
  }

  @Test
  void conformBench_onProgcache_printsRatesAndPercentiles() throws Exception {
    String launcher = Dist.launcher().toString();
    Run r =
        run(
            List.of(
                "--bench",
                "--seconds",
                "1s",
                "--warmup",
                "0",
                "--",
                launcher,
                "--dir",
                dir.resolve("c").toString()));
    assertThat(r.status()).as(r.out()).isZero();
    for (String op : List.of("get-hit", "get-miss", "put-1KiB", "put-1MiB")) {
      assertThat(r.out())
          .containsPattern("bench " + op + " +[0-9]+ ops/s  p50 +[0-9.]+ ms  p99 +[0-9.]+ ms");
    }
  }

  @Test
  void conform_goodFake_passesEveryCase() throws Exception {
    Run r = run(withHelper(List.of(), "good"));
    assertThat(r.out()).contains("18 passed, 0 failed");
    assertThat(r.status()).as(r.out()).isZero();
  }

  @ParameterizedTest(name = "{0} fails {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "duplicate      | concurrent-200       | second answer for ID",
        "duplicate      | get-miss             | unknown request ID 1",
        "unknown-id     | get-miss             | unknown request ID 1001",
        "early-eof      | get-miss             | exited pre-Close with 1 pending requests",
        "garbage        | get-miss             | error reading JSON",
        "garbage        | stdout-only-protocol | not valid JSON: \"this is not JSON\"",
        "no-diskpath    | put-get-1B           | didn't return DiskPath in put response",
        "short-outputid | put-get-1B           | incomplete ProgResponse OutputID: 16 bytes",
        "no-time        | time-nanoseconds     | get hit without Time",
        "no-put         | handshake            | the handshake does not declare put",
        "no-close       | handshake            | the handshake does not declare close",
        "no-handshake   | handshake            | sent no handshake within 5000 ms",
        "ignore-eof     | eof-without-close    | still running 5 s after its stdin was closed",
        "chatty         | stdout-only-protocol | output after the close answer: \"goodbye from a chatty helper\"",
      })
  void conform_misbehavingHelper_failsCaseWithReason(String mode, String kase, String reason)
      throws Exception {
    Run r = run(withHelper(List.of("--case", kase), mode));
    assertThat(r.status()).as(r.out()).isEqualTo(1);
    assertThat(r.out())
        .containsPattern("FAIL " + kase + " .*" + java.util.regex.Pattern.quote(reason));
    assertThat(r.out()).contains("0 passed, 1 failed");
  }

  @Test
  void conform_failedHandshake_skipsTheRest() throws Exception {
    Run r = run(withHelper(List.of("--case", "handshake", "--case", "get-miss"), "no-put"));
    assertThat(r.out()).contains("SKIP get-miss").contains("0 passed, 1 failed, 1 skipped");
    assertThat(r.status()).isEqualTo(1);
  }

  @Test
  void conform_badUsage_isStatus2WithUsage() throws Exception {
    assertThat(run(List.of("--bench")).status()).isEqualTo(2);
    Run w = run(List.of("--bench", "--warmup", "-1", "--", "true"));
    assertThat(w.status()).isEqualTo(2);
    assertThat(w.out()).contains("--warmup -1:").contains("expected a duration such as 500ms");
    Run h = run(List.of("--bench", "--seconds", "2h", "--", "true"));
    assertThat(h.status()).isEqualTo(2);
    assertThat(h.out()).contains("--seconds 2h: more than 0 up to 1h");
    Run r = run(List.of("--case", "no-such-case", "--", "true"));
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.out()).contains("no case named no-such-case");
  }

  private List<String> withHelper(List<String> flags, String mode) {
    List<String> a = new ArrayList<>(flags);
    a.add("--");
    a.addAll(FakeHelper.argv(mode, dir, 1));
    return a;
  }
}
