package dev.progcache.disk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Stats;
import dev.progcache.testing.Dist;
import dev.progcache.testing.GoTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Scenario 20: trims running while a real go build reads the cache never fail the build. */
@Timeout(600)
class TrimDuringBuildIT {
  @TempDir Path tmp;

  private Path module() throws IOException {
    Path m = Files.createDirectories(tmp.resolve("mod"));
    Files.writeString(m.resolve("go.mod"), "module example.com/trimmed\n\ngo 1.24\n");
    for (String p : List.of("a", "b", "c")) {
      Path d = Files.createDirectories(m.resolve(p));
      Files.writeString(
          d.resolve(p + ".go"),
          "package " + p + "\n\nfunc Name() string { return \"" + p + "\" }\n");
    }
    Files.writeString(
        m.resolve("main.go"),
        """
        package main

        import (
        \t"example.com/trimmed/a"
        \t"example.com/trimmed/b"
        \t"example.com/trimmed/c"
        )

        func main() { println(a.Name() + b.Name() + c.Name()) }
        """);
    return m;
  }

  private int goBuild(Path mod, Path cacheDir, Path out) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(GoTool.go().toString(), "build", "-o", out.toString(), ".")
            .directory(mod.toFile())
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("go.log").toFile());
    pb.environment().put("GOCACHE", tmp.resolve("gocache").toString());
    pb.environment()
        .put("GOCACHEPROG", Dist.launcher() + " --dir " + cacheDir + " --trim-interval off");
    pb.environment().put("GOFLAGS", "-mod=mod");
    pb.environment().put("GOTOOLCHAIN", "local");
    pb.environment().put("CGO_ENABLED", "0");
    Process p = pb.start();
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("go build finished").isTrue();
    return p.exitValue();
  }

  /** Makes every file look last used three hours ago: outside the grace period, so trimmable. */
  private static void ageAll(Path cacheDir, long nowNanos) throws IOException {
    FileTime old = FileTime.from(nowNanos - TimeUnit.HOURS.toNanos(3), TimeUnit.NANOSECONDS);
    try (Stream<Path> s = Files.walk(cacheDir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        Files.setLastModifiedTime(p, old);
      }
    }
  }

  @Test
  void s20_trimLoopDuringRealGoBuilds_noBuildFails() throws Exception {
    Path mod = module();
    Path cacheDir = tmp.resolve("pc");
    assertThat(goBuild(mod, cacheDir, tmp.resolve("first"))).as(log()).isZero();
    DiskStore store = DiskStore.open(cacheDir, TrimDuringBuildIT::now, new Stats());
    TrimPolicy everything = new TrimPolicy(1, Duration.ofSeconds(1), Duration.ZERO);
    for (int round = 0; round < 2; round++) {
      ageAll(cacheDir, now());
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong trims = new AtomicLong();
      AtomicLong removed = new AtomicLong();
      Thread trimmer =
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (!stop.get()) {
                      try {
                        new Trimmer(store, TrimDuringBuildIT::now)
                            .trim(everything, false)
                            .ifPresent(r -> removed.addAndGet(r.removed().files()));
                        trims.incrementAndGet();
                      } catch (IOException e) {
                        throw new AssertionError(e);
                      }
                    }
                  });
      Path out = tmp.resolve("out" + round);
      int rc;
      try {
        rc = goBuild(mod, cacheDir, out);
      } finally {
        stop.set(true);
        trimmer.join(TimeUnit.SECONDS.toMillis(60));
      }
      assertThat(rc)
          .as("build %d with %d concurrent trims: %s", round, trims.get(), log())
          .isZero();
      assertThat(trims.get()).isPositive();
      Process run = new ProcessBuilder(out.toString()).redirectErrorStream(true).start();
      assertThat(new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .contains("abc");
      assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    Verifier.Report r =
        new Verifier(store, TrimDuringBuildIT::now).verify(false, Verifier.Progress.NONE);
    assertThat(r.problems()).as("cache consistent after the trims").isEmpty();
  }

  private String log() throws IOException {
    Path l = tmp.resolve("go.log");
    return Files.exists(l) ? Files.readString(l) : "";
  }

  private static long now() {
    java.time.Instant t = java.time.Instant.now();
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}
