package dev.progcache.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds a real go (>= 1.24) for end-to-end tests: {@code $PROGCACHE_TEST_GO}, go on PATH, or the
 * toolchain that ../shared/tools/install-go.sh installs. Without one the test is skipped, except
 * under {@code CI=true}, where it fails.
 */
public final class GoTool {
  private GoTool() {}

  /** Absolute path of the go binary. */
  public static Path go() {
    List<Path> candidates = new ArrayList<>();
    String env = System.getenv("PROGCACHE_TEST_GO");
    if (env != null && !env.isEmpty()) {
      candidates.add(Path.of(env));
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        candidates.add(Path.of(dir, "go"));
      }
    }
    candidates.add(Path.of("/opt/progcache-go/usr/lib/go-1.27/bin/go"));
    String home = System.getProperty("user.home");
    candidates.add(Path.of(home, ".cache/progcache-go/usr/lib/go-1.27/bin/go"));
    for (Path p : candidates) {
      if (Files.isExecutable(p) && newEnough(p)) {
        return p.toAbsolutePath();
      }
    }
    String why = "no go >= 1.24 found (PROGCACHE_TEST_GO, PATH, /opt/progcache-go)";
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(why + "; CI=true requires real-go tests to run");
    }
    Assumptions.abort(why);
    throw new AssertionError("unreachable");
  }

  private static boolean newEnough(Path go) {
    try {
      Process p =
          new ProcessBuilder(go.toString(), "env", "GOVERSION").redirectErrorStream(true).start();
      String v = new String(p.getInputStream().readAllBytes()).strip();
      p.waitFor();
      // go1.N or go1.N.M
      if (!v.startsWith("go1.")) {
        return false;
      }
      String minor = v.substring(4).split("[^0-9]")[0];
      return Integer.parseInt(minor) >= 24;
    } catch (Exception e) {
      return false;
    }
  }
}
