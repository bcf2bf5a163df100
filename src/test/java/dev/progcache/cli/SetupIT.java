package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Cmd;
import dev.progcache.testing.Dist;
import dev.progcache.testing.GoModule;
import dev.progcache.testing.GoTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code progcache setup}: go env -w with the stable relay (daemon mode) by default or the one-shot
 * launcher, undo, moving between installs, and leaving a foreign GOCACHEPROG alone.
 */
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
    env.put("XDG_DATA_HOME", tmp.resolve("data").toString());
    env.put("PROGCACHE_SOCKET_DIR", tmp.resolve("sockets").toString());
    env.remove("GOCACHEPROG");
  }

  @AfterEach
  void stopDaemons() throws Exception {
    pc("daemon", "stop", "--all");
  }

  private Path stableRelay() {
    return tmp.resolve("data/progcache/bin/progcache-relay");
  }

  private Cmd.Result goBuild(String out) throws Exception {
    return Cmd.run(
        mod, env, 570, GoTool.go().toString(), "build", "-o", tmp.resolve(out).toString(), ".");
  }

  /** A second install of the same build in {@code dir}: its own bin/ with launcher and relay. */
  private Path install(String dir) throws Exception {
    Path bin = Files.createDirectories(tmp.resolve(dir).resolve("bin"));
    for (String f : new String[] {"progcache", "progcache-relay"}) {
      Files.copy(
          Dist.launcher().resolveSibling(f), bin.resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
    }
    return bin;
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
  void setup_thenPlainGoBuildVetAndList_goThroughTheRelayAndDaemon_andUndoRestoresDefault()
      throws Exception {
    Cmd.Result r = pc("setup", "-v").ok();
    assertThat(r.out()).contains("set GOCACHEPROG=").contains("progcache setup --undo");
    assertThat(goEnv()).isEqualTo(stableRelay() + " -v");
    assertThat(stableRelay()).isExecutable();
    Cmd.Result build = goBuild("b").ok();
    assertThat(build.stat("puts")).isGreaterThan(0);
    assertThat(tmp.resolve("gocache/progcache/o")).isDirectory();
    Cmd.run(mod, env, 300, GoTool.go().toString(), "vet", ".").ok();
    Cmd.run(mod, env, 300, GoTool.go().toString(), "list", "./...").ok();
    assertThat(pc("daemon", "status").ok().out())
        .as("the go commands were served by the daemon")
        .containsPattern("\\b([3-9]|[1-9][0-9]+) served");
    pc("setup", "--undo").ok();
    assertThat(goEnv()).isEmpty();
    assertThat(stableRelay()).doesNotExist();
  }

  @Test
  void setupOneShot_pointsGoAtTheLauncher() throws Exception {
    pc("setup", "--one-shot", "-v").ok();
    assertThat(goEnv()).isEqualTo(Dist.launcher() + " -v");
    assertThat(goBuild("b").ok().stat("puts")).isGreaterThan(0);
    assertThat(stableRelay()).doesNotExist();
    assertThat(pc("daemon", "status").out()).contains("no daemon");
  }

  @Test
  void setupFromAnotherInstall_movesTheStableEntry_andDeletingTheOldInstallKeepsGoWorking()
      throws Exception {
    Path a = install("a");
    Path b = install("b");
    Cmd.run(tmp, env, 120, a.resolve("progcache").toString(), "setup").ok();
    String value = goEnv();
    assertThat(value).isEqualTo(stableRelay().toString());
    goBuild("b1").ok();
    Path installFile = stableRelay().resolveSibling("progcache-relay.install");
    assertThat(installFile).content().contains(a.toString());

    Cmd.run(tmp, env, 120, b.resolve("progcache").toString(), "setup").ok();
    assertThat(goEnv()).as("go's env file keeps the same stable path").isEqualTo(value);
    assertThat(installFile).content().contains(b.toString());
    deleteTree(a.getParent());
    pc("daemon", "stop", "--all").ok(); // the next go command starts a daemon from install b
    goBuild("b2").ok();

    deleteTree(b.getParent());
    pc("daemon", "stop", "--all").ok();
    Cmd.Result gone = goBuild("b3");
    assertThat(gone.code()).isNotZero();
    assertThat(gone.err())
        .contains("install this relay belongs to is gone")
        .contains("progcache setup");
  }

  private static void deleteTree(Path p) throws Exception {
    try (var walk = Files.walk(p)) {
      for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  @Test
  void setup_leavesAForeignGocacheprogAlone_unlessForced() throws Exception {
    Cmd.run(tmp, env, 60, GoTool.go().toString(), "env", "-w", "GOCACHEPROG=/opt/other-helper")
        .ok();
    Cmd.Result r = pc("setup");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("/opt/other-helper").contains("--force");
    assertThat(goEnv()).isEqualTo("/opt/other-helper");
    Cmd.Result undo = pc("setup", "--undo");
    assertThat(undo.code()).isEqualTo(2);
    assertThat(goEnv()).isEqualTo("/opt/other-helper");
    pc("setup", "--force").ok();
    assertThat(goEnv()).isEqualTo(stableRelay().toString());
  }

  @Test
  void setupPrint_onlyPrintsTheLine() throws Exception {
    Cmd.Result r = pc("setup", "--print", "--dir", "/x y").ok();
    assertThat(r.out()).contains("export GOCACHEPROG='" + Dist.relay() + " --dir '\\''/x y'\\'''");
    assertThat(Files.exists(tmp.resolve("goenv"))).isFalse();
    r = pc("setup", "--print", "--one-shot").ok();
    assertThat(r.out()).contains("export GOCACHEPROG='" + Dist.launcher() + "'");
  }
}
