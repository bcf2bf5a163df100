package dev.progcache.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** go's own cache doing a warm {@code go build std}, for scripts that do not measure it. */
final class GoBaseline {
  private GoBaseline() {}

  /** Median of {@code runs} warm builds on a fresh GOCACHE (filled by one cold build first). */
  static double warmStdMillis(int runs, Path logs) throws IOException, InterruptedException {
    Path cache = Files.createTempDirectory(logs, "gocache");
    build(cache, logs); // cold: fills the cache
    List<Long> ms = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      ms.add(build(cache, logs));
    }
    ms.sort(null);
    return ms.get((ms.size() - 1) / 2);
  }

  private static long build(Path cache, Path logs) throws IOException, InterruptedException {
    String go = System.getenv().getOrDefault("GO", "go");
    ProcessBuilder pb =
        new ProcessBuilder(go, "build", "std")
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(logs.resolve("go-baseline.log").toFile()));
    pb.environment().remove("GOCACHEPROG");
    pb.environment().put("GOCACHE", cache.toString());
    pb.environment().put("GO111MODULE", "off");
    pb.environment().put("GOTELEMETRY", "off");
    long t0 = System.nanoTime();
    int exit = pb.start().waitFor();
    if (exit != 0) {
      throw new IOException(
          "go build std with go's own cache failed (exit " + exit + "); see " + logs);
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
