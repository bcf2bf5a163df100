package dev.progcache.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/** The built distribution (target/progcache) that integration tests run as real processes. */
public final class Dist {
  private Dist() {}

  /** The native relay, bin/progcache-relay; fails the test when the build did not make it. */
  public static Path relay() {
    Path p = launcher().resolveSibling("progcache-relay");
    assertThat(Files.isExecutable(p))
        .as("the relay %s (needs a C compiler at build time)", p)
        .isTrue();
    return p;
  }

  /** The launcher, bin/progcache; fails the test when the build did not make it. */
  public static Path launcher() {
    String d = System.getProperty("progcache.dist", "target/progcache");
    Path p = Path.of(d, "bin", "progcache").toAbsolutePath();
    assertThat(Files.isExecutable(p))
        .as("the launcher %s (run the tests with ./mvnw verify, which builds it)", p)
        .isTrue();
    return p;
  }
}
