package dev.progcache.cli;

import dev.progcache.cache.Stats;
import dev.progcache.config.Setting;
import dev.progcache.disk.DiskStore;
import dev.progcache.disk.Verifier;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/** {@code progcache verify [--repair]}: re-hashes bodies and checks records. */
final class VerifyCommand implements Admin.Command {
  @Override
  public String name() {
    return "verify";
  }

  @Override
  public String usage() {
    return """
    usage: progcache verify [--repair] [--dir DIR]

    Re-hashes every body and compares it with its name (its sha256), and finds records that
    do not parse, records whose body is missing or has another size, bodies that no record
    names, and temp files older than an hour. Shows a progress bar when stderr is a terminal.
    Files written in the last two hours are not reported as orphans (a put may be running).

      --repair   remove what is wrong (and the records of corrupt bodies); the cache then
                 misses where it would have failed, and go rebuilds those outputs
    Exit status: 0 no problems (or all repaired), 1 problems found, 2 usage error.
    """;
  }

  @Override
  public java.util.List<Setting<?>> settings() {
    return java.util.List.of(HelperConfig.DIR);
  }

  @Override
  public Set<String> switches() {
    return Set.of("--repair");
  }

  @Override
  public int run(Admin.Invocation inv) throws ConfigException, IOException {
    Path dir = inv.existingDir();
    boolean repair = inv.has("--repair");
    PrintStream out = inv.ctx().out();
    DiskStore store = DiskStore.open(dir, inv.ctx().nowNanos(), new Stats());
    Verifier.Progress progress =
        ProgressBar.stderrIsTerminal()
            ? new ProgressBar(inv.ctx().err(), System::nanoTime)
            : Verifier.Progress.NONE;
    Verifier.Report r = new Verifier(store, inv.ctx().nowNanos()).verify(repair, progress);
    for (Verifier.Problem p : r.problems()) {
      out.println(
          p.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
              + ": "
              + p.path()
              + " ("
              + p.kind().meaning()
              + "; "
              + p.detail()
              + ")");
    }
    out.println(
        dir
            + ": checked "
            + r.records()
            + " records and "
            + r.bodies()
            + " bodies ("
            + TrimText.bytes(r.bytes())
            + "); "
            + r.problems().size()
            + " problems"
            + (repair ? ", " + r.repaired() + " files removed" : ""));
    if (!r.problems().isEmpty() && !repair) {
      out.println("run progcache verify --repair to remove them");
      return 1;
    }
    return 0;
  }
}
