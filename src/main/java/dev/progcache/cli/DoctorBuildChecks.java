package dev.progcache.cli;

import dev.progcache.client.ProgClient;
import dev.progcache.remote.RemoteException;
import dev.progcache.remote.http.TokenGrants;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The checks of {@code progcache doctor} about what breaks or slows builds: the settings, the
 * helper go starts, and the shared tier. Each returns a result and never throws.
 */
final class DoctorBuildChecks {
  private static final Duration HANDSHAKE = Duration.ofSeconds(20);
  private static final Duration REMOTE = Duration.ofSeconds(5);

  private DoctorBuildChecks() {}

  /** Every setting parses, and the shared-tier settings are usable. */
  static Doctor.Result settings(HelperConfig cfg, Map<String, String> env) {
    List<String> problems = ConfigCommand.problems(cfg, env);
    if (problems.isEmpty()) {
      String file = cfg.file().flatMap(ConfigFile::path).map(Object::toString).orElse("none");
      return Doctor.Result.ok("every setting is valid (config file " + file + ")");
    }
    return Doctor.Result.fail(
        String.join("\n                 ", problems),
        "correct the values named above; progcache config shows every setting and where it is set");
  }

  /**
   * What {@code go env GOCACHEPROG} names starts and answers the handshake and a close. Unset is a
   * warning: go then uses its own cache.
   */
  static Doctor.Result gocacheprog(DoctorChecks.GoProbe go, Map<String, String> env) {
    if (!go.error().isEmpty()) {
      return Doctor.Result.fail(go.error(), "install go and put it on PATH (see the go check)");
    }
    String prog = go.goCacheProg();
    if (prog.isEmpty()) {
      return Doctor.Result.warn(
          "GOCACHEPROG is not set: go uses its own cache, not progcache",
          "progcache setup sets it for every go command (the relay of daemon mode; --one-shot for the JVM helper)");
    }
    String fix =
        "point GOCACHEPROG at bin/progcache or bin/progcache-relay of an installed progcache:"
            + " progcache setup --force";
    var b =
        ProgClient.builder(prog)
            .handshakeTimeout(HANDSHAKE)
            .stderr(ProcessBuilder.Redirect.DISCARD);
    env.forEach(b::env);
    try (ProgClient c = b.start()) {
      long ms = c.handshakeTime().toMillis();
      return Doctor.Result.ok("GOCACHEPROG=" + prog + " answered the handshake in " + ms + " ms");
    } catch (IOException | RuntimeException e) {
      String why = e.getMessage() == null ? "it did not answer" : e.getMessage();
      return Doctor.Result.fail("GOCACHEPROG=" + prog + " does not work: " + why, fix);
    }
  }

  /**
   * The daemon's socket directory is private to this user: otherwise the relay does not use the
   * daemon and every go command pays the one-shot helper's start.
   */
  static Doctor.Result daemonSocketDir(Map<String, String> env) {
    try {
      Optional<String> problem = dev.progcache.daemon.DaemonClient.socketDirProblem(env);
      if (problem.isPresent()) {
        return Doctor.Result.fail(
            problem.get(), "the relay falls back to the one-shot helper until this is fixed");
      }
      return Doctor.Result.ok(
          "the daemon's socket directory is private to you ("
              + dev.progcache.daemon.DaemonClient.socketPath(env, "").replaceAll("/\\.sock$", "")
              + ")");
    } catch (IOException | RuntimeException e) {
      return Doctor.Result.warn(
          "cannot check the daemon's socket directory: " + e.getMessage(),
          "set PROGCACHE_SOCKET_DIR to a directory of yours with mode 0700");
    }
  }

  /**
   * The shared server answers a read with this token, and the token may write unless read-only is
   * set. Without {@code --remote} there is nothing to check.
   */
  static Doctor.Result remote(HelperConfig cfg, Map<String, String> env) {
    Optional<RemoteSettings> r;
    try {
      r = cfg.sharedTierOff() ? Optional.empty() : RemoteSettings.from(cfg, env);
    } catch (ConfigException e) {
      return Doctor.Result.fail(e.getMessage(), "correct the shared-tier setting named");
    }
    if (r.isEmpty() || r.get().url() == null) {
      return Doctor.Result.ok(
          r.isEmpty() ? "no shared tier configured (--remote or --s3)" : "S3 bucket: not probed");
    }
    URI base = r.get().url();
    String token = r.get().token();
    String shown = dev.progcache.remote.http.HttpTier.describe(base);
    String refused =
        "set PROGCACHE_TOKEN or --token-file to a token with the read grant for this namespace";
    try (var tier =
        new dev.progcache.remote.http.HttpTier(
            dev.progcache.remote.http.HttpTier.Config.of(base, token)
                .withSettings(probeSettings()))) {
      Optional<TokenGrants.Answer> grants = TokenGrants.ask(tier);
      if (grants.isPresent()) {
        return granted(shown, grants.get(), r.get().readOnly(), refused);
      }
    } catch (RemoteException e) {
      if (e.kind() == RemoteException.Kind.UNAUTHENTICATED
          || e.kind() == RemoteException.Kind.DENIED_READ) {
        return Doctor.Result.fail(
            shown
                + " refuses reads with "
                + (token == null ? "no token" : "this token")
                + " ("
                + e.getMessage()
                + ")",
            refused);
      }
      return Doctor.Result.fail(
          shown + " answered: " + e.getMessage(), "check that the URL is a progcache server");
    } catch (IOException e) {
      return down(shown, e);
    }
    return probed(r.get(), base, token, shown, refused); // a server without GET /grants
  }

  private static dev.progcache.remote.http.HttpTier.Settings probeSettings() {
    var d = dev.progcache.remote.http.HttpTier.Settings.DEFAULT;
    return new dev.progcache.remote.http.HttpTier.Settings(
        REMOTE, REMOTE, d.maxObjectSize(), d.maxConcurrent());
  }

  /** The verdict on what the server says the token may do. */
  private static Doctor.Result granted(
      String shown, TokenGrants.Answer g, boolean readOnly, String refused) {
    String who = "the token" + (g.principal().isEmpty() ? "" : " \"" + g.principal() + "\"");
    String where = " in namespace " + g.namespace();
    if (!g.read()) {
      return Doctor.Result.fail(shown + ": " + who + " may not read" + where, refused);
    }
    if (readOnly) {
      return Doctor.Result.ok(
          shown + " answers; " + who + " may read" + where + " (read-only set)");
    }
    if (!g.write()) {
      return Doctor.Result.warn(
          shown
              + " allows reads but not writes with "
              + who
              + where
              + ": builds use the cache read-only and share no results",
          "use a token with the write grant, or set read-only (--read-only) to say it is meant");
    }
    return Doctor.Result.ok(shown + " answers; " + who + " may read and write" + where);
  }

  private static Doctor.Result down(String shown, IOException e) {
    return Doctor.Result.fail(
        shown + " does not answer: " + (e.getMessage() == null ? "no connection" : e.getMessage()),
        "start the server or correct --remote / PROGCACHE_REMOTE; builds still work without it");
  }

  /** The grants of a server without {@code GET /grants}, learnt by a read and a refused upload. */
  private static Doctor.Result probed(
      RemoteSettings r, URI base, String token, String shown, String refused) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(REMOTE).build();
    String missing = "0".repeat(64);
    try {
      int read = send(http, base, "action/" + missing, token, "GET");
      if (read == 401 || read == 403) {
        return Doctor.Result.fail(
            shown
                + " refuses reads with "
                + (token == null ? "no token" : "this token")
                + " (HTTP "
                + read
                + ")",
            refused);
      }
      if (read != 404 && read != 200) {
        return Doctor.Result.fail(
            shown + " answered a read with HTTP " + read,
            "check that the URL is a progcache server");
      }
      if (r.readOnly()) {
        return Doctor.Result.ok(shown + " answers and allows reads (read-only set)");
      }
      // an upload of a wrong body for a made-up key: refused for its content (400/422) when the
      // token may write, for the token (401/403) when it may not; nothing is stored
      int write = send(http, base, missing + "/" + missing, token, "PUT");
      if (write == 401 || write == 403) {
        return Doctor.Result.warn(
            shown + " allows reads but not writes with this token: builds will not share results",
            "use a token with the write grant, or set read-only (--read-only) to say it is meant");
      }
      return Doctor.Result.ok(shown + " answers; the token may read and write");
    } catch (IOException e) {
      return down(shown, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Doctor.Result.fail("interrupted", "run doctor again");
    }
  }

  private static int send(HttpClient http, URI base, String path, String token, String method)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(REMOTE);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    b.method(
        method,
        method.equals("PUT")
            ? HttpRequest.BodyPublishers.ofString("x")
            : HttpRequest.BodyPublishers.noBody());
    return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
