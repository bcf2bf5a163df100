package dev.progcache.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which go command (build, test, vet, ...) started a helper: the parent of the helper (the one-shot
 * JVM, or the relay a daemon session serves) is go, and its second argument names the command. A
 * build context's manifest is kept per command, so that a CI job's build step does not prefetch
 * what only its test step uses (ADR 0034).
 *
 * <p>Linux only ({@code /proc}); elsewhere, and when the parent is not go (a test harness, a
 * wrapper), there is no command and the context is the module's alone. Reads two small files; never
 * throws. Stateless.
 */
final class GoCommand {
  private static final Pattern GO_BINARY = Pattern.compile("go(\\d[\\w.-]*)?");
  private static final Pattern SUBCOMMAND = Pattern.compile("[a-z][a-z0-9]{0,15}");
  private static final int MAX_READ = 1 << 16;

  private GoCommand() {}

  /** The go command that started this process, when its parent is go. */
  static Optional<String> ofThisProcess() {
    return ofParentOf("self");
  }

  /** The go command that started process {@code pid} (a relay), when its parent is go. */
  static Optional<String> ofParentOf(long pid) {
    return pid > 0 ? ofParentOf(Long.toString(pid)) : Optional.empty();
  }

  private static Optional<String> ofParentOf(String proc) {
    try {
      long ppid = parentPid(read(Path.of("/proc", proc, "stat")));
      return ppid > 1
          ? fromCmdline(read(Path.of("/proc", Long.toString(ppid), "cmdline")))
          : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The fourth field of {@code /proc/PID/stat}, after the command name in parentheses. */
  static long parentPid(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return -1;
    }
    String[] f = stat.substring(close + 1).strip().split(" ");
    return f.length > 1 ? Long.parseLong(f[1]) : -1;
  }

  /**
   * The command of go's {@code /proc/PID/cmdline} (NUL-separated arguments): the second argument
   * when the first names a go binary ({@code go}, or a toolchain's {@code go1.27.4}).
   */
  static Optional<String> fromCmdline(String cmdline) {
    String[] args = cmdline.split("\0");
    if (args.length < 2) {
      return Optional.empty();
    }
    String bin = args[0].substring(args[0].lastIndexOf('/') + 1);
    if (!GO_BINARY.matcher(bin).matches() || !SUBCOMMAND.matcher(args[1]).matches()) {
      return Optional.empty();
    }
    return Optional.of(args[1]);
  }

  private static String read(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      return new String(in.readNBytes(MAX_READ), StandardCharsets.ISO_8859_1);
    }
  }
}
