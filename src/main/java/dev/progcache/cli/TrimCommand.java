package dev.progcache.cli;

import dev.progcache.cache.Stats;
import dev.progcache.config.Setting;
import dev.progcache.disk.DiskStore;
import dev.progcache.disk.TrimReport;
import dev.progcache.disk.Trimmer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/** {@code progcache trim}: trims the cache directory now. */
final class TrimCommand implements Admin.Command {
  @Override
  public String name() {
    return "trim";
  }

  @Override
  public String usage() {
    return """
    usage: progcache trim [--max-size SIZE] [--max-age AGE] [--dry-run] [--dir DIR]

    Trims the cache directory now: removes bodies unused for longer than max-age, then the
    least recently used bodies until the rest fit in max-size, plus records whose body is
    gone, bodies no record names, and temp files older than an hour. Bodies used or written
    in the last two hours are always kept (a running go may be reading them). The helper does
    the same by itself after a session, at most once per trim-interval.

      --dry-run   print what would be removed; remove nothing
    Exit status: 0 done, 1 another progcache is trimming or the directory cannot be read.
    """;
  }

  @Override
  public java.util.List<Setting<?>> settings() {
    return java.util.List.of(HelperConfig.DIR, HelperConfig.MAX_SIZE, HelperConfig.MAX_AGE);
  }

  @Override
  public Set<String> switches() {
    return Set.of("--dry-run");
  }

  @Override
  public int run(Admin.Invocation inv) throws ConfigException, IOException {
    Path dir = inv.existingDir();
    boolean dry = inv.has("--dry-run");
    DiskStore store = DiskStore.open(dir, inv.ctx().nowNanos(), new Stats());
    Optional<TrimReport> r =
        new Trimmer(store, inv.ctx().nowNanos()).trim(inv.cfg().trimPolicy(), dry);
    if (r.isEmpty()) {
      inv.ctx()
          .err()
          .println(
              "progcache trim: another progcache is trimming "
                  + dir
                  + " right now; try again later");
      return 1;
    }
    inv.ctx().out().println(dir + ": " + TrimText.summary(r.get(), dry));
    return 0;
  }
}
