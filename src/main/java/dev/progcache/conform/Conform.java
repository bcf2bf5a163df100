package dev.progcache.conform;

import dev.progcache.client.ProgClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code progcache conform [--bench [--seconds N] [--threads N]] -- HELPER [ARGS...]}: runs the
 * conformance cases against a GOCACHEPROG helper, one line per case and a summary; with {@code
 * --bench}, measures it instead. Each case starts the helper afresh, so the helper's own flags
 * choose the cache it uses.
 */
public final class Conform {
  public static final String USAGE =
      """
      usage: progcache conform [--case NAME]... [--bench [--seconds D] [--warmup D] [--threads N]] -- HELPER [ARGS...]
        runs the GOCACHEPROG conformance cases against HELPER (started once per case);
        exit status 0 when every required case passes.
        --case NAME   run only this case (repeatable)
        --bench       measure get-hit, get-miss, put 1 KiB and put 1 MiB instead
        --seconds D   time per measured operation (default 5s; 500ms, 30s, 1m; a plain number is seconds)
        --warmup D    time each operation runs unmeasured first, so both JITs are done (default 2s; 0 for none)
        --threads N   concurrent callers (default 1)
        --op NAME     measure only this operation (repeatable): get-hit, get-miss, put-1KiB, put-1MiB
      """;

  private Conform() {}

  private record Args(
      boolean bench,
      Duration seconds,
      Duration warmup,
      int threads,
      List<String> only,
      List<String> ops,
      List<String> helper) {}

  /** Runs the subcommand; returns the exit status (0 all required cases passed, 1 not, 2 usage). */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    Args a;
    try {
      a = parse(args);
    } catch (IllegalArgumentException e) {
      err.println(
          "progcache conform: " + e.getMessage() + " (progcache conform --help shows the usage)");
      return 2;
    }
    Target t;
    try {
      t = new Target(a.helper());
    } catch (IllegalArgumentException e) {
      err.println("progcache conform: " + e.getMessage());
      return 2;
    }
    if (a.bench()) {
      return bench(t, a, out, err);
    }
    List<Case> all = new ArrayList<>(ClientCases.all());
    all.addAll(PipeCases.all());
    if (!a.only().isEmpty()) {
      List<String> names = all.stream().map(Case::name).toList();
      for (String n : a.only()) {
        if (!names.contains(n)) {
          err.println(
              "progcache conform: no case named " + n + "; cases: " + String.join(", ", names));
          return 2;
        }
      }
      all.removeIf(c -> !a.only().contains(c.name()));
    }
    return cases(t, all, out);
  }

  private static Args parse(List<String> args) {
    boolean bench = false;
    Duration seconds = Duration.ofSeconds(5);
    Duration warmup = Duration.ofSeconds(2);
    int threads = 1;
    List<String> only = new ArrayList<>();
    List<String> ops = new ArrayList<>();
    int i = 0;
    for (; i < args.size() && !args.get(i).equals("--"); i++) {
      switch (args.get(i)) {
        case "--bench" -> bench = true;
        case "--seconds" -> seconds = duration(args, ++i, "--seconds", false);
        case "--threads" -> threads = number(args, ++i, "--threads");
        case "--warmup" -> warmup = duration(args, ++i, "--warmup", true);
        case "--case" -> {
          if (++i >= args.size()) {
            throw new IllegalArgumentException("--case needs a case name");
          }
          only.add(args.get(i));
        }
        case "--op" -> {
          if (++i >= args.size() || !Bench.OPS.contains(args.get(i))) {
            throw new IllegalArgumentException("--op needs one of " + Bench.OPS);
          }
          ops.add(args.get(i));
        }
        default -> throw new IllegalArgumentException("unknown flag " + args.get(i));
      }
    }
    if (i + 1 >= args.size()) {
      throw new IllegalArgumentException("give the helper command after --");
    }
    return new Args(
        bench,
        seconds,
        warmup,
        threads,
        List.copyOf(only),
        List.copyOf(ops),
        args.subList(i + 1, args.size()));
  }

  /** A duration in the one grammar (a plain number is seconds), at most an hour. */
  private static Duration duration(List<String> args, int i, String flag, boolean zero) {
    if (i >= args.size()) {
      throw new IllegalArgumentException(flag + " needs a duration such as 5s");
    }
    String why = null;
    try {
      Duration d = dev.progcache.cache.Units.durationOrSeconds(args.get(i));
      if ((d.isZero() && !zero) || d.compareTo(Duration.ofHours(1)) > 0) {
        why = (zero ? "from 0" : "more than 0") + " up to 1h";
      } else {
        return d;
      }
    } catch (IllegalArgumentException e) {
      why = e.getMessage();
    }
    throw new IllegalArgumentException(
        flag
            + " "
            + args.get(i)
            + ": "
            + why
            + "; expected a duration such as 500ms, 5s or 1m"
            + " (a plain number is seconds)");
  }

  private static int number(List<String> args, int i, String flag) {
    return number(args, i, flag, 1);
  }

  private static int number(List<String> args, int i, String flag, int min) {
    if (i >= args.size()) {
      throw new IllegalArgumentException(flag + " needs a number");
    }
    try {
      int n = Integer.parseInt(args.get(i));
      if (n < min || n > 3600) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          flag + " needs a number from " + min + " to 3600, got " + args.get(i));
    }
  }

  private static int cases(Target t, List<Case> all, PrintStream out) {
    int passed = 0;
    int failed = 0;
    int skipped = 0;
    int warned = 0;
    boolean gateOpen = true;
    for (Case c : all) {
      if (!gateOpen) {
        line(out, "SKIP", c, 0, "needs a working handshake");
        skipped++;
        continue;
      }
      long t0 = System.nanoTime();
      String detail;
      boolean ok;
      try {
        detail = c.body().run(t);
        ok = true;
      } catch (Exception e) {
        detail = reason(e);
        ok = false;
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      if (ok) {
        passed++;
      } else if (c.required()) {
        failed++;
      } else {
        warned++;
      }
      line(out, ok ? "PASS" : c.required() ? "FAIL" : "WARN", c, ms, detail);
      gateOpen = ok || !c.name().equals(ClientCases.HANDSHAKE);
    }
    out.printf(
        Locale.ROOT,
        "conform: %d passed, %d failed, %d skipped, %d warnings, of %d cases%n",
        passed,
        failed,
        skipped,
        warned,
        all.size());
    return failed == 0 && skipped == 0 ? 0 : 1;
  }

  private static String reason(Exception e) {
    if (e instanceof CaseFailure) {
      return e.getMessage();
    }
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  private static void line(PrintStream out, String verdict, Case c, long ms, String detail) {
    out.printf(Locale.ROOT, "%s %-24s %7d ms  %s%n", verdict, c.name(), ms, detail);
    out.flush();
  }

  private static int bench(Target t, Args a, PrintStream out, PrintStream err) {
    try (ProgClient c = t.client()) {
      new Bench(c, a.seconds(), a.warmup(), a.threads(), a.ops(), out).run();
      return 0;
    } catch (Exception e) {
      err.println("progcache conform --bench: " + reason(e));
      return 1;
    }
  }
}
