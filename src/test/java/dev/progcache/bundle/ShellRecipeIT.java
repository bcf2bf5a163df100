package dev.progcache.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Cmd;
import dev.progcache.testing.Dist;
import dev.progcache.testing.GoModule;
import dev.progcache.testing.ServeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The plain-shell CI recipe (deploy/ci/shell-runner.sh), run by two "runners" against serve. */
@Timeout(900)
class ShellRecipeIT {
  @TempDir Path tmp;

  @Test
  void shellRecipe_secondRunnerWithFreshDir_compilesNothing() throws Exception {
    String token = "recipe-token-0123456789abcdef";
    Path tokens = Files.writeString(tmp.resolve("tokens"), token + " read,write ci\n");
    Path tokenFile = Files.writeString(tmp.resolve("token"), token + "\n");
    Path recipe = Path.of("deploy/ci/shell-runner.sh").toAbsolutePath();
    try (ServeProcess server =
        ServeProcess.start("127.0.0.1:0", tmp.resolve("server"), "--tokens", tokens.toString())) {
      Cmd.Result first = runner(1, server, tokenFile, recipe);
      assertThat(first.statSum("puts")).isGreaterThan(0);
      Thread.sleep(500); // uploads drain after each go command's close; give the last one a moment
      Cmd.Result second = runner(2, server, tokenFile, recipe);
      assertThat(second.statSum("bytes-in")).as("nothing compiled on the second runner").isZero();
      assertThat(second.statSum("remote-hits") + second.statSum("prefetch-used")).isGreaterThan(0);
      assertThat(second.out()).contains("ok");
      assertThat(second.err() + server.stderr()).doesNotContain(token);
    }
  }

  private Cmd.Result runner(int n, ServeProcess server, Path tokenFile, Path recipe) throws Exception {
    Path root = Files.createDirectories(tmp.resolve("runner" + n));
    // CI checks the repository out at the same path on every runner; go's action ids for the
    // module's own packages include that path, so both runners build in one checkout
    Path mod = tmp.resolve("checkout");
    if (!Files.exists(mod)) {
      GoModule.write(mod);
    }
    Map<String, String> env = new HashMap<>(GoModule.env(root, root.resolve("gocache")));
    env.put("PROGCACHE_HOME", Dist.launcher().getParent().getParent().toString());
    env.put("PROGCACHE_REMOTE", server.url().toString());
    env.put("PROGCACHE_TOKEN_FILE", tokenFile.toString());
    return Cmd.run(mod, env, 600, "bash", recipe.toString()).ok();
  }
}
