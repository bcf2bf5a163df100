package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Cmd;
import dev.progcache.testing.Dist;
import dev.progcache.testing.GoModule;
import dev.progcache.testing.GoTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code progcache setup}: go env -w, undo, and leaving a foreign GOCACHEPROG alone. */
@Timeout(600)
class SetupIT {
  @TempDir Path tmp;
  Map<String, String> env;
  Path mod;

  @BeforeEach
  void setUp() throws Exception {
    mod = tmp.resolve("mod");
    GoModule.write(mod);
    env = new HashMap<>(GoModule.env(tmp, tmp.resolve("gocache")));
    env.put("GOENV", tmp.resolve("goenv").toString()); // go's env file for go env -w
    env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
    env.remove("GOCACHEPROG");
  }

  private Cmd.Result pc(String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = Dist.launcher().toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    return Cmd.run(tmp, env, 120, cmd);
  }

  private String goEnv() throws Exception {
    return Cmd.run(tmp, env, 60, GoTool.go().toString(), "env", "GOCACHEPROG").ok().out().strip();
  }

  @Test
  void setup_thenPlainGoBuild_goesThroughProgcache_andUndoRestoresDefault() throws Exception {
    Cmd.Result r = pc("setup", "-v").ok();
    assertThat(r.out()).contains("set GOCACHEPROG=").contains("progcache setup --undo");
    assertThat(goEnv()).isEqualTo(Dist.launcher() + " -v");
    Cmd.Result build =
        Cmd.run(mod, env, 570, GoTool.go().toString(), "build", "-o", tmp.resolve("b").toString(), ".").ok();
    assertThat(build.stat("puts")).isGreaterThan(0);
    assertThat(tmp.resolve("gocache/progcache/o")).isDirectory();
    pc("setup", "--undo").ok();
    assertThat(goEnv()).isEmpty();
  }

  @Test
  void setup_leavesAForeignGocacheprogAlone_unlessForced() throws Exception {
    Cmd.run(tmp, env, 60, GoTool.go().toString(), "env", "-w", "GOCACHEPROG=/opt/other-helper").ok();
    Cmd.Result r = pc("setup");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("/opt/other-helper").contains("--force");
    assertThat(goEnv()).isEqualTo("/opt/other-helper");
    Cmd.Result undo = pc("setup", "--undo");
    assertThat(undo.code()).isEqualTo(2);
    assertThat(goEnv()).isEqualTo("/opt/other-helper");
    pc("setup", "--force").ok();
    assertThat(goEnv()).isEqualTo(Dist.launcher().toString());
  }

  @Test
  void setupPrint_onlyPrintsTheLine() throws Exception {
    Cmd.Result r = pc("setup", "--print", "--dir", "/x y").ok();
    assertThat(r.out()).contains("export GOCACHEPROG='" + Dist.launcher() + " --dir '\\''/x y'\\'''");
    assertThat(Files.exists(tmp.resolve("goenv"))).isFalse();
  }
}
