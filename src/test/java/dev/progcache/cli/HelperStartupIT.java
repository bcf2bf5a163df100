package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.HelperProcess;
import dev.progcache.testing.Requests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The helper's startup path stays free of the client, conform and server code. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HelperStartupIT {
  @TempDir Path dir;

  @Test
  void helperSession_loadsNoClientConformOrServerClasses() throws Exception {
    Path log = dir.resolve("classes.log");
    try (HelperProcess h =
        HelperProcess.start(
            Map.of("PROGCACHE_JAVA_OPTS", "-Xlog:class+load=info:file=" + log),
            "--dir",
            dir.resolve("c").toString())) {
      assertThat(h.readLine(30)).startsWith("{\"ID\":0");
      h.write("{\"ID\":1,\"Command\":\"close\"}\n");
      assertThat(h.readLine(30)).isEqualTo("{\"ID\":1}");
      assertThat(h.waitFor(30)).isZero();
    }
    String loaded = Files.readString(log);
    assertThat(loaded).contains("dev.progcache.cli.Main");
    assertThat(loaded)
        .doesNotContain("dev.progcache.conform.")
        .doesNotContain("dev.progcache.client.")
        .as("serve's settings are not the helper's")
        .doesNotContain("dev.progcache.server.");
  }

  /**
   * A class missing from the launcher's AOT cache is read from the jar, and the first one opens it:
   * 12-16 ms before go's first get was answered, when the default directory's lookup was not in the
   * training. A session as go starts one, with no flag and no progcache setting, puts, hits, misses
   * and closes with every class from the cache.
   */
  @Test
  void defaultSession_loadsEveryClassFromTheAotCache() throws Exception {
    Path aot = Path.of("target/progcache/lib/progcache.aot");
    assertThat(aot).as("the package phase trains the AOT cache").exists();
    Path log = dir.resolve("classes.log");
    // trimmed just now: the daily trim's classes stay out of the cache on purpose (see Train)
    Path cache = Files.createDirectories(dir.resolve("go-build/progcache"));
    Files.writeString(cache.resolve("trim.txt"), System.currentTimeMillis() / 1000 + "\n");
    byte[] body = "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] action = Requests.random(new java.util.Random(3), 32);
    try (HelperProcess h =
        HelperProcess.start(
            Map.of(
                "PROGCACHE_JAVA_OPTS", "-Xlog:class+load=info:file=" + log,
                "GOCACHE", dir.resolve("go-build").toString(),
                "HOME", dir.toString()))) {
      assertThat(h.readLine(30)).startsWith("{\"ID\":0");
      h.write(Requests.put(1, action, body));
      assertThat(h.readLine(30)).startsWith("{\"ID\":1,\"DiskPath\":");
      h.write(Requests.get(2, action));
      assertThat(h.readLine(30)).startsWith("{\"ID\":2,\"OutputID\":");
      h.write(Requests.get(3, Requests.random(new java.util.Random(4), 32)));
      assertThat(h.readLine(30)).isEqualTo("{\"ID\":3,\"Miss\":true}");
      h.write("{\"ID\":4,\"Command\":\"close\"}\n");
      assertThat(h.readLine(30)).isEqualTo("{\"ID\":4}");
      assertThat(h.waitFor(30)).isZero();
    }
    assertThat(dir.resolve("go-build/progcache/a")).isDirectory();
    List<String> fromJar =
        Files.readAllLines(log).stream().filter(l -> l.contains("source: file:")).toList();
    assertThat(fromJar).as("classes read from the jar").isEmpty();
    assertThat(Files.readString(log)).contains("dev.progcache.cli.GoEnv source: shared");
  }
}
