package dev.progcache.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * Runs health checks and prints one line per check: {@code OK} or {@code FAIL} with what is wrong,
 * and for a failure the fix on the next line. Checks are a plain list: a new tier adds its own
 * {@link Check} to {@link DoctorCommand#checks}.
 */
final class Doctor {
  /** One health check. Implementations report failures as results, never by throwing. */
  interface Check {
    /** A short name shown in the first column: "jdk", "go", "cache dir". */
    String name();

    Result run();
  }

  /**
   * A check's outcome.
   *
   * @param detail what was found (shown either way)
   * @param fix what to do; empty for a pass
   */
  record Result(Level level, String detail, String fix) {
    /** OK: works; WARN: works, but worse than it could (the fix says how); FAIL: breaks builds. */
    enum Level {
      OK,
      WARN,
      FAIL
    }

    static Result ok(String detail) {
      return new Result(Level.OK, detail, "");
    }

    static Result warn(String detail, String fix) {
      return new Result(Level.WARN, detail, fix);
    }

    static Result fail(String detail, String fix) {
      return new Result(Level.FAIL, detail, fix);
    }

    /** Whether the check passed (a warning passes). */
    boolean ok() {
      return level != Level.FAIL;
    }
  }

  private Doctor() {}

  /** Runs every check in order, prints the lines, and returns how many failed. */
  static int run(List<Check> checks, PrintStream out) {
    int failed = 0;
    for (Check c : checks) {
      Result r;
      try {
        r = c.run();
      } catch (RuntimeException e) {
        r =
            Result.fail(
                "the check itself failed: "
                    + (e.getMessage() == null ? "no message" : e.getMessage()),
                "report this as a progcache bug");
      }
      out.println(String.format(Locale.ROOT, "%-4s  %-10s %s", r.level(), c.name(), r.detail()));
      if (!r.fix().isEmpty()) {
        out.println("      fix: " + r.fix());
      }
      if (!r.ok()) {
        failed++;
      }
    }
    return failed;
  }

  /** A check from a name and a function. */
  static Check check(String name, java.util.function.Supplier<Result> body) {
    return new Check() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Result run() {
        return body.get();
      }
    };
  }
}
