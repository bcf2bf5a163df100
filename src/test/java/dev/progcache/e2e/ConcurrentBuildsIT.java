package dev.progcache.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Cmd;
import dev.progcache.testing.Dist;
import dev.progcache.testing.Figures;
import dev.progcache.testing.GoModule;
import dev.progcache.testing.GoTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Scenario 34: 16 concurrent go builds (same and different packages) sharing one cache dir. */
@Timeout(900)
class ConcurrentBuildsIT {
  @TempDir Path root;

  @Test
  void s34_sixteenConcurrentGoBuilds_shareOneDir_noErrorsIdenticalOutputs() throws Exception {
    int variants = 4;
    int copies = 4;
    Map<String, String> env = new HashMap<>(GoModule.env(root, root.resolve("gocache")));
    env.put("GOCACHEPROG", Dist.launcher() + " -v");
    for (int v = 0; v < variants; v++) {
      Path mod = root.resolve("m" + v);
      GoModule.write(mod);
      // each variant's greet package differs, so its action ids differ from the others'
      Files.writeString(
          mod.resolve("greet/extra.go"),
          "package greet\n\n// Variant is this module's variant.\nconst Variant = " + v + "\n");
      Files.setLastModifiedTime(
          mod.resolve("greet/extra.go"),
          java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
    }
    String go = GoTool.go().toString();
    // warm std dependencies once, so the 16 builds race on the module's own packages
    Cmd.run(root.resolve("m0"), env, 600, go, "build", "-o", root.resolve("warm").toString(), ".")
        .ok();
    List<CompletableFuture<Cmd.Result>> builds = new ArrayList<>();
    AtomicLong worstNanos = new AtomicLong();
    long helperErrors = 0;
    try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int v = 0; v < variants; v++) {
        for (int c = 0; c < copies; c++) {
          Path mod = root.resolve("m" + v);
          Path out = root.resolve("bin-" + v + "-" + c);
          builds.add(
              CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      long t0 = System.nanoTime();
                      Cmd.Result r = Cmd.run(mod, env, 600, go, "build", "-o", out.toString(), ".");
                      worstNanos.accumulateAndGet(System.nanoTime() - t0, Math::max);
                      return r;
                    } catch (Exception e) {
                      throw new AssertionError(e);
                    }
                  },
                  ex));
        }
      }
      for (CompletableFuture<Cmd.Result> b : builds) {
        Cmd.Result r = b.get(800, TimeUnit.SECONDS).ok();
        helperErrors += r.statSum("errors");
        assertThat(r.statSum("errors")).isZero();
      }
    }
    for (int v = 0; v < variants; v++) {
      byte[] first = Files.readAllBytes(root.resolve("bin-" + v + "-0"));
      for (int c = 1; c < copies; c++) {
        assertThat(root.resolve("bin-" + v + "-" + c)).hasBinaryContent(first);
      }
      assertThat(Cmd.run(root, env, 30, root.resolve("bin-" + v + "-0").toString(), "v").ok().out())
          .contains("hello v");
    }
    Figures.of("s34", builds.size(), helperErrors, worstNanos.get() / 1e6)
        .with("builds", builds.size())
        .with("helper_errors", helperErrors)
        .with("outputs_identical", true)
        .print();
  }
}
