package dev.progcache.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** The self-contained archive the build wrote (target/progcache-linux-ARCH.tar.gz), unpacked. */
public final class Bundle {
  private Bundle() {}

  /** The directory the build writes archives to (target/). */
  public static Path target() {
    return Dist.launcher().getParent().getParent().getParent();
  }

  /** The archive under its stable name, progcache-linux-ARCH.tar.gz; fails when there is none. */
  public static Path archive() throws IOException {
    Path target = target();
    try (Stream<Path> s = Files.list(target)) {
      return s.filter(
              p -> p.getFileName().toString().matches("progcache-linux-[a-z0-9]+\\.tar\\.gz"))
          .findFirst()
          .orElseThrow(
              () ->
                  new AssertionError(
                      "no progcache-linux-*.tar.gz in " + target + " (./mvnw package)"));
    }
  }

  /** Unpacks the archive into {@code into} and returns its top directory. */
  public static Path unpack(Path into) throws Exception {
    Files.createDirectories(into);
    Cmd.run(into, Map.of(), 120, "tar", "-C", into.toString(), "-xzf", archive().toString()).ok();
    try (Stream<Path> s = Files.list(into)) {
      return s.findFirst().orElseThrow();
    }
  }

  /**
   * An environment without any JDK: JAVA_HOME empty, PATH with go and /usr/bin (whose java, if any,
   * is too old), and an empty JDK search directory made under {@code tmp}.
   */
  public static Map<String, String> noJdk(Path tmp) throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("no-jdks"));
    Map<String, String> env = new HashMap<>();
    env.put("JAVA_HOME", "");
    env.put("PATH", GoTool.go().getParent() + ":/usr/bin:/bin");
    env.put("PROGCACHE_JDK_SEARCH_DIR", empty.toString());
    return env;
  }
}
