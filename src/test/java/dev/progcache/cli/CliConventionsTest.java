package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Every command and subcommand follows the same conventions: {@code -h}/{@code --help} print the
 * usage on stdout and exit 0; an unknown flag exits 2 with one line on stderr naming the flag and
 * where the usage is; no message carries a Java exception class name.
 */
@Timeout(60)
@Isolated // replaces System.out and System.err
class CliConventionsTest {
  static final List<List<String>> COMMANDS =
      List.of(
          List.of("exec"),
          List.of("daemon"),
          List.of("daemon", "run"),
          List.of("daemon", "status"),
          List.of("setup"),
          List.of("trim"),
          List.of("stats"),
          List.of("verify"),
          List.of("doctor"),
          List.of("config"),
          List.of("serve"),
          List.of("token"),
          List.of("token", "create"),
          List.of("conform"),
          List.of("mod"),
          List.of("mod", "prefetch"));

  record Run(int status, String out, String err) {}

  static Run main(List<String> args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int status = Main.run(args.toArray(String[]::new));
      return new Run(
          status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  private static List<String> with(List<String> cmd, String... more) {
    List<String> a = new ArrayList<>(cmd);
    a.addAll(List.of(more));
    return a;
  }

  @Test
  void helpAndShortHelp_onEveryCommand_printUsageOnStdout_exitZero() {
    for (List<String> cmd : COMMANDS) {
      for (String h : List.of("--help", "-h")) {
        Run r = main(with(cmd, h));
        assertThat(r.status()).as("%s %s: %s", cmd, h, r.err()).isZero();
        assertThat(r.out()).as("%s %s", cmd, h).startsWith("usage: progcache " + cmd.get(0));
        assertThat(r.err()).as("%s %s", cmd, h).isEmpty();
      }
    }
    for (List<String> top : List.of(List.of("help"), List.of("--help"), List.of("-h"))) {
      Run r = main(top);
      assertThat(r.status()).isZero();
      assertThat(r.out()).startsWith("usage: progcache").contains("helper flags");
    }
  }

  @Test
  void version_flagAndCommand() {
    for (String v : List.of("--version", "version")) {
      Run r = main(List.of(v));
      assertThat(r.status()).isZero();
      assertThat(r.out()).startsWith("progcache ");
    }
  }

  @Test
  void unknownFlag_onEveryCommand_exitsTwo_oneLineWithHint() {
    for (List<String> cmd : COMMANDS) {
      if (cmd.equals(List.of("daemon", "status"))) {
        continue; // takes no flags: asking the daemon is its only action
      }
      Run r = main(with(cmd, "--bogus"));
      assertThat(r.status()).as("%s: %s", cmd, r.err()).isEqualTo(2);
      assertThat(r.out()).as("%s", cmd).isEmpty();
      assertThat(r.err().strip().lines()).as("%s: %s", cmd, r.err()).hasSize(1);
      assertThat(r.err()).as("%s", cmd).contains("--bogus").contains("--help");
      assertThat(r.err()).doesNotContainPattern("[A-Z][a-z]+(Exception|Error)\\b");
    }
  }

  @Test
  void unknownSubcommand_exitsTwo_oneLine() {
    Run r = main(List.of("frob"));
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("unknown subcommand \"frob\"").contains("--help");
  }

  @Test
  void stats_help_listsOnlyItsFlags() {
    Run r = main(List.of("stats", "--help"));
    assertThat(r.out()).contains("--dir").contains("--max-size").doesNotContain("--remote");
    assertThat(r.out()).doesNotContain("--prefetch").doesNotContain("--read-only");
    Run config = main(List.of("config", "--help"));
    assertThat(config.out()).contains("--remote").contains("--remote-timeout");
  }

  @Test
  void exec_helpOfTheCommandItRuns_isNotExecsHelp() {
    Run r = main(List.of("exec", "no-such-program-xyz", "--help"));
    assertThat(r.out()).doesNotContain("usage: progcache exec");
    assertThat(r.err()).contains("cannot start no-such-program-xyz");
  }

  @Test
  void exec_ofAMissingProgram_saysSoInWords() {
    Run r = main(List.of("exec", "--", "no-such-program-xyz"));
    assertThat(r.status()).isEqualTo(2);
    assertThat(r.err())
        .contains("cannot start no-such-program-xyz: no such file or directory")
        .doesNotContain("Cannot run program")
        .doesNotContain("error=");
  }
}
