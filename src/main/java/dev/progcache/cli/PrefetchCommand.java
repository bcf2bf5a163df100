package dev.progcache.cli;

import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.disk.DiskStore;
import dev.progcache.remote.Prefetch;
import dev.progcache.remote.RemoteLog;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code progcache prefetch}: fills the local directory, now, with what earlier builds of this
 * build context used, as go's first command's helper would start doing. A CI job runs it in the
 * background while its modules download, so its first go command finds its outputs on disk instead
 * of paying the distance to the shared tier.
 */
final class PrefetchCommand implements Admin.Command {
  /** How long the whole fetch may take; go fetches whatever is left itself. */
  static final Duration LIMIT = Duration.ofMinutes(5);

  /**
   * The settings go gives its cache program from its own configuration (go env, its env file,
   * defaults) that {@link BuildContext} keys on; {@code GOWORK} is not among them: go passes it
   * only when it is set, as it is in this environment.
   */
  static final List<String> FROM_GO =
      java.util.stream.Stream.concat(
              java.util.stream.Stream.of("GOVERSION", "GOROOT"),
              BuildContext.SETTINGS.stream().filter(s -> !s.equals("GOWORK")))
          .toList();

  private static final Duration GO_ENV_WAIT = Duration.ofSeconds(30);

  @Override
  public String name() {
    return "prefetch";
  }

  @Override
  public String usage() {
    return """
    usage: progcache prefetch [helper flags]

    Fetches into the local directory, now, every entry the shared tier's prefetch manifest of
    this build context lists and the directory lacks: what earlier builds of the same module,
    go version and settings used. go's first command in a fresh directory would start the same
    fetch and wait for it; run this at the start of a CI job, in the background, while the
    modules download, and wait for it before the first go build:
      progcache prefetch & go mod download; wait; go build ./...
    Run it in the module's directory with the environment go will have (GOFLAGS, GOOS, ...):
    the context is the one go's helper would compute there, with go's own settings asked of
    `go env` (the go on PATH). Entries are verified like any other; nothing is uploaded.
    Gives up after 5 minutes (go fetches what is left). Prints one line on stderr.
    Exit status: 0 when the manifest and every entry were fetched, or there is no manifest
    yet; 1 when the shared tier failed (go fetches what is missing itself); 2 for bad usage
    or when no shared tier is configured.
    """;
  }

  @Override
  public int run(Admin.Invocation inv) throws ConfigException, IOException {
    HelperConfig cfg = inv.cfg();
    Map<String, String> env = inv.ctx().env();
    PrintStream err = inv.ctx().err();
    long start = System.nanoTime();
    Optional<RemoteSettings> settings = RemoteSettings.from(cfg, env);
    if (settings.isEmpty()) {
      throw new ConfigException(
          "no shared tier to prefetch from: set --remote or --s3 (or PROGCACHE_REMOTE)");
    }
    Stats stats = new Stats();
    DiskStore local = CacheDir.open(cfg, env, CacheDir.fresh(stats), err);
    Path cwd = Path.of("").toAbsolutePath();
    Optional<String> explicit = cfg.prefetchKey();
    Map<String, String> goEnv = explicit.isPresent() ? env : asGoGivesIt(env, cwd, err);
    Key context = BuildContext.key(goEnv, cwd, explicit);
    RemoteLog log = new RemoteLog(stats, err);
    Prefetch.Ahead ahead;
    try (RemoteSettings.Shared shared = settings.get().shared(log)) {
      Prefetch p =
          new Prefetch(local, shared.remote(), () -> context, Prefetch.Limits.DEFAULT, log);
      try {
        ahead = p.fetchAhead(LIMIT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 1;
      } finally {
        p.close(shared.uploader()); // reports nothing: no build ran
      }
    }
    long errors =
        stats.get(RemoteLog.ERRORS)
            + stats.get(RemoteLog.PREFETCH_ERRORS)
            + stats.get(RemoteLog.CORRUPT);
    err.println(summary(ahead, stats, errors, System.nanoTime() - start, local.root()));
    return errors > 0 || !ahead.finished() ? 1 : 0;
  }

  static String summary(Prefetch.Ahead a, Stats stats, long errors, long nanos, Path dir) {
    long fetched = stats.get(RemoteLog.PREFETCHED);
    StringBuilder b = new StringBuilder("progcache prefetch: ");
    if (a.listed() == 0 && errors == 0) {
      b.append("no manifest for this build context yet (its first build writes one)");
    } else {
      b.append(
          String.format(
              Locale.ROOT,
              "%d listed, %d already in %s, %d fetched (%s)",
              a.listed(),
              a.onDisk(),
              dir,
              fetched,
              TrimText.bytes(stats.get(RemoteLog.PREFETCH_BYTES))));
    }
    if (errors > 0) {
      b.append("; ").append(errors).append(" shared-tier errors (go fetches what is missing)");
    }
    if (!a.finished()) {
      b.append("; gave up after ").append(LIMIT.toMinutes()).append(" minutes");
    }
    return b.append(String.format(Locale.ROOT, " in %.2f s", nanos / 1e9)).toString();
  }

  /**
   * {@code env} with go's own values of {@link #FROM_GO}, as go sets them for its cache program;
   * {@code env} alone, with a line on {@code err}, when {@code go env} cannot be run.
   */
  static Map<String, String> asGoGivesIt(Map<String, String> env, Path cwd, PrintStream err) {
    try {
      Path go = DoctorChecks.onPath(env, "go").orElseThrow(() -> new IOException("no go on PATH"));
      List<String> cmd = new ArrayList<>(List.of(go.toString(), "env"));
      cmd.addAll(FROM_GO);
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .directory(cwd.toFile())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().clear();
      pb.environment().putAll(env); // go's settings as this environment gives them
      Process p = pb.start();
      byte[] out;
      try (InputStream in = p.getInputStream()) {
        out = in.readNBytes(1 << 16);
      }
      if (!p.waitFor(GO_ENV_WAIT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("go env did not finish in " + GO_ENV_WAIT.toSeconds() + " s");
      }
      if (p.exitValue() != 0) {
        throw new IOException("go env exited with status " + p.exitValue());
      }
      return merged(env, new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      err.println(
          "progcache prefetch: cannot ask go for its settings ("
              + e.getMessage()
              + "); the build context comes from this environment alone and may not be go's");
      return env;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return env;
    }
  }

  /** {@code env} with the values {@code go env FROM_GO...} printed, one per line; "" unsets. */
  static Map<String, String> merged(Map<String, String> env, String goEnvOutput)
      throws IOException {
    List<String> lines = goEnvOutput.lines().toList();
    if (lines.size() != FROM_GO.size()) {
      throw new IOException(
          "go env printed " + lines.size() + " lines for " + FROM_GO.size() + " settings");
    }
    Map<String, String> m = new HashMap<>(env);
    for (int i = 0; i < FROM_GO.size(); i++) {
      String v = lines.get(i);
      if (v.isEmpty()) {
        m.remove(FROM_GO.get(i));
      } else {
        m.put(FROM_GO.get(i), v);
      }
    }
    return m;
  }
}
