package dev.progcache.daemon;

import static dev.progcache.testing.Requests.close;
import static dev.progcache.testing.Requests.get;
import static dev.progcache.testing.Requests.put;
import static dev.progcache.testing.Requests.random;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Answers;
import dev.progcache.testing.Cmd;
import dev.progcache.testing.Dist;
import dev.progcache.testing.GoModule;
import dev.progcache.testing.HelperProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Daemon mode: the native relay and the resident daemon, as real processes. */
@Timeout(300)
class DaemonIT {
  @TempDir Path tmp;
  Path sockets;
  Map<String, String> env;
  private final Random rnd = new Random(9);

  @BeforeEach
  void setUp() throws Exception {
    sockets =
        Files.createDirectory(
            tmp.resolve("s"),
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    env = new HashMap<>();
    env.put("PROGCACHE_SOCKET_DIR", sockets.toString());
    env.put("PROGCACHE_DAEMON_IDLE", "60"); // a safety net; tests stop it
    env.put("PROGCACHE_DIR", tmp.resolve("cache").toString());
  }

  @AfterEach
  void stopDaemon() throws Exception {
    Cmd.run(tmp, env, 30, Dist.launcher().toString(), "daemon", "stop");
    // wait for it to exit, so that nothing writes into the temp dir while it is deleted
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline
        && !Cmd.run(tmp, env, 30, Dist.launcher().toString(), "daemon", "status")
            .out()
            .contains("no daemon")) {
      Thread.sleep(100);
    }
    Thread.sleep(300); // the process exits just after it stops listening
  }

  private HelperProcess relay(String... args) throws Exception {
    HelperProcess h = HelperProcess.startProgram(Dist.relay(), env, args);
    assertThat(h.readLine(30))
        .isEqualTo("{\"ID\":0,\"KnownCommands\":[\"get\",\"put\",\"close\"]}");
    return h;
  }

  @Test
  void relay_startsTheDaemonOnDemandAndServesTheProtocol() throws Exception {
    byte[] action = random(rnd, 32);
    byte[] body = random(rnd, 70_000);
    try (HelperProcess h = relay("-v")) {
      h.write(put(1, action, body));
      Path p = Path.of((String) Answers.parse(h.readLine(30)).get("DiskPath"));
      assertThat(p).hasBinaryContent(body).startsWith(tmp.resolve("cache"));
      h.write(close(2));
      assertThat(Answers.parse(h.readLine(30))).isEqualTo(Map.of("ID", 2L));
      assertThat(h.readLine(30)).isNull();
      assertThat(h.waitFor(30)).isZero();
    }
    // a second relay finds the running daemon and the stored entry
    try (HelperProcess h = relay()) {
      h.write(get(1, action));
      assertThat(Answers.parse(h.readLine(30))).containsEntry("Size", 70_000L);
      h.closeStdin();
      assertThat(h.waitFor(30)).isZero();
    }
    Cmd.Result status = Cmd.run(tmp, env, 30, Dist.launcher().toString(), "daemon", "status").ok();
    assertThat(status.out())
        .as("go's pipes (here the test's) are served by the daemon itself")
        .contains("2 served (2 on go's pipes)")
        .contains(sockets.toString());
  }

  @Test
  void relayStart_startsTheDaemonAheadWithoutASession_andTheNextGoCommandUsesIt() throws Exception {
    Cmd.Result started = Cmd.run(tmp, env, 60, Dist.relay().toString(), "--start").ok();
    assertThat(started.out()).isEmpty();
    String status =
        Cmd.run(tmp, env, 30, Dist.launcher().toString(), "daemon", "status").ok().out();
    assertThat(status).contains("0 served");
    String pid = status.replaceAll("(?s).*, pid (\\d+),.*", "$1");
    assertThat(Cmd.run(tmp, env, 30, Dist.relay().toString(), "--start").ok().out())
        .as("a second start finds it")
        .isEmpty();
    try (HelperProcess h = relay()) {
      h.closeStdin();
      assertThat(h.waitFor(30)).isZero();
    }
    assertThat(Cmd.run(tmp, env, 30, Dist.launcher().toString(), "daemon", "status").ok().out())
        .contains("pid " + pid + ",")
        .contains("1 served");
  }

  /**
   * The AOT cache is trained on a daemon serving relay sessions too: without that a new daemon read
   * ~250 classes from the jar and the JDK before it listened (ADR 0036). Every class of the
   * daemon's start, a session on go's pipes and its stop comes from the cache.
   */
  @Test
  void aNewDaemon_andItsSession_loadEveryClassFromTheAotCache() throws Exception {
    assertThat(Dist.launcher().getParent().resolve("../lib/progcache.aot"))
        .as("the package phase trains it")
        .exists();
    Path log = tmp.resolve("classes.log");
    env.put("PROGCACHE_JAVA_OPTS", "-Xlog:class+load=info:file=" + log);
    // trimmed just now: the daily trim's classes stay out of the caches on purpose (see Train)
    Files.createDirectories(tmp.resolve("cache"));
    Files.writeString(tmp.resolve("cache/trim.txt"), System.currentTimeMillis() / 1000 + "\n");
    byte[] action = random(rnd, 32);
    try (HelperProcess h = relay()) {
      h.write(put(1, action, random(rnd, 5_000)));
      assertThat(h.readLine(30)).contains("DiskPath");
      h.write(get(2, action));
      assertThat(h.readLine(30)).contains("OutputID");
      h.write(close(3));
      assertThat(h.readLine(30)).isEqualTo("{\"ID\":3}");
      assertThat(h.waitFor(30)).isZero();
    }
    stopDaemon();
    String loaded = Files.readString(log);
    assertThat(loaded).contains("dev.progcache.daemon.DaemonServer source: shared objects file");
    assertThat(loaded.lines().filter(l -> l.contains("source: file:")).toList())
        .as("classes read from the jar")
        .isEmpty();
  }

  @Test
  void relayStart_inADirectoryOthersCanWrite_startsNothing_andSaysWhy() throws Exception {
    Path open = Files.createDirectory(tmp.resolve("open"));
    Files.setPosixFilePermissions(
        open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    Map<String, String> e = new HashMap<>(env);
    e.put("PROGCACHE_SOCKET_DIR", open.toString());
    Cmd.Result r = Cmd.run(tmp, e, 60, Dist.relay().toString(), "--start");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("no daemon started").contains(open.toString());
    try (var files = Files.list(open)) {
      assertThat(files).as("no socket, no log").isEmpty();
    }
  }

  @Test
  void goKilledMidSession_endsThatSessionOnly_andTheDaemonServesTheNext() throws Exception {
    byte[] action = random(rnd, 32);
    HelperProcess h = relay();
    h.write(put(1, action, random(rnd, 2_000)));
    assertThat(Answers.parse(h.readLine(30))).containsKey("DiskPath");
    h.write(get(2, action).substring(0, 10)); // half a request, then go is gone
    h.stdin().flush();
    h.close(); // kills the relay; the test's ends of the pipes close with it
    h.process().getInputStream().close();
    h.stdin().close();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String status = "";
    while (System.nanoTime() < deadline) {
      status = Cmd.run(tmp, env, 30, Dist.launcher().toString(), "daemon", "status").ok().out();
      if (status.contains(" 0 active sessions")) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(status).as("the session ended when go's pipe closed").contains(" 0 active sessions");
    try (HelperProcess next = relay()) {
      next.write(get(1, action) + close(2));
      assertThat(Answers.parse(next.readLine(30))).containsEntry("Size", 2_000L);
      assertThat(Answers.parse(next.readLine(30))).isEqualTo(Map.of("ID", 2L));
      assertThat(next.waitFor(30)).isZero();
    }
  }

  @Test
  void relay_whoseStdinIsNotAPipe_copiesTheSessionItself() throws Exception {
    byte[] action = random(rnd, 32);
    byte[] body = random(rnd, 5_000);
    Path requests = tmp.resolve("requests");
    Files.writeString(requests, put(1, action, body) + get(2, action) + close(3));
    Path answers = tmp.resolve("answers");
    ProcessBuilder pb = new ProcessBuilder(Dist.relay().toString());
    pb.environment().putAll(env);
    pb.redirectInput(requests.toFile()).redirectOutput(answers.toFile());
    pb.redirectError(tmp.resolve("stderr").toFile());
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(tmp.resolve("stderr"))).isZero();
    List<String> lines = Files.readAllLines(answers);
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).isEqualTo("{\"ID\":0,\"KnownCommands\":[\"get\",\"put\",\"close\"]}");
    assertThat(Answers.parse(lines.get(2))).containsEntry("ID", 2L).containsEntry("Size", 5_000L);
    assertThat(Answers.parse(lines.get(3))).isEqualTo(Map.of("ID", 3L));
    Cmd.Result status = Cmd.run(tmp, env, 30, Dist.launcher().toString(), "daemon", "status").ok();
    assertThat(status.out()).contains("1 served (0 on go's pipes)");
  }

  @Test
  void concurrentSessions_eachGetOnlyTheirOwnIds() throws Exception {
    int sessions = 6;
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int s = 0; s < sessions; s++) {
      long base = (s + 1) * 1000L;
      HelperProcess h = relay();
      all.add(
          CompletableFuture.runAsync(
              () -> {
                try (h) {
                  StringBuilder b = new StringBuilder();
                  Random r = new Random(base);
                  for (int i = 0; i < 100; i++) {
                    b.append(
                        i % 2 == 0
                            ? put(base + i, random(r, 32), random(r, 3000))
                            : get(base + i, random(r, 32)));
                  }
                  h.write(b.toString());
                  for (int i = 0; i < 100; i++) {
                    long id = (Long) Answers.parse(h.readLine(30)).get("ID");
                    assertThat(id).isBetween(base, base + 99);
                  }
                  h.write(close(base + 100));
                  assertThat(Answers.parse(h.readLine(30))).containsEntry("ID", base + 100);
                  assertThat(h.readLine(30)).isNull();
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              },
              dev.progcache.testing.Threads.VIRTUAL));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
  }

  @Test
  void eightGoBuildsAtOnce_throughOneDaemon() throws Exception {
    Path mod = tmp.resolve("mod");
    GoModule.write(mod);
    Map<String, String> goEnv = new HashMap<>(GoModule.env(tmp, tmp.resolve("gocache")));
    goEnv.putAll(env);
    goEnv.put("GOCACHEPROG", Dist.relay() + " -v");
    Cmd.run(
            mod,
            goEnv,
            600,
            dev.progcache.testing.GoTool.go().toString(),
            "build",
            "-o",
            tmp.resolve("warm").toString(),
            ".")
        .ok();
    List<CompletableFuture<Cmd.Result>> builds = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Path out = tmp.resolve("bin" + i);
      builds.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return Cmd.run(
                      mod,
                      goEnv,
                      300,
                      dev.progcache.testing.GoTool.go().toString(),
                      "build",
                      "-o",
                      out.toString(),
                      ".");
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              },
              dev.progcache.testing.Threads.VIRTUAL));
    }
    byte[] want = Files.readAllBytes(tmp.resolve("warm"));
    for (int i = 0; i < 8; i++) {
      Cmd.Result r = builds.get(i).get(300, TimeUnit.SECONDS).ok();
      assertThat(r.stat("bytes-in")).as("nothing compiled").isZero();
      assertThat(tmp.resolve("bin" + i)).hasBinaryContent(want);
    }
  }

  @Test
  void daemonKilledMidSession_failsThatSessionClearly_andTheNextRestartsIt() throws Exception {
    try (HelperProcess h = relay()) {
      String status =
          Cmd.run(tmp, env, 30, Dist.launcher().toString(), "daemon", "status").ok().out();
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("pid (\\d+)").matcher(status);
      assertThat(m.find()).as(status).isTrue();
      long pid = Long.parseLong(m.group(1));
      ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();
      daemon.destroyForcibly();
      assertThat(h.readLine(30)).as("stdout EOF: go reports the helper exited").isNull();
      daemon.onExit().get(30, TimeUnit.SECONDS); // the next go command comes after it is gone
      h.waitFor(30);
    }
    try (HelperProcess h = relay()) {
      h.write(get(1, random(rnd, 32)));
      assertThat(Answers.parse(h.readLine(30))).containsEntry("Miss", true);
    }
  }

  @Test
  void sessions_shareOneRemoteTier_uploadsReachTheServer_andAFreshDirGetsRemoteHits()
      throws Exception {
    byte[] action = random(rnd, 32);
    byte[] body = random(rnd, 20_000);
    try (dev.progcache.testing.ServeProcess server =
        dev.progcache.testing.ServeProcess.start("127.0.0.1:0", tmp.resolve("server"))) {
      env.put("PROGCACHE_REMOTE", server.url().toString());
      try (HelperProcess h = relay()) {
        h.write(put(1, action, body));
        assertThat(Answers.parse(h.readLine(30))).containsKey("DiskPath");
        h.write(close(2));
        h.readLine(30);
      }
      // the upload runs in the daemon after the session ends: wait until the server has it
      String hex = java.util.HexFormat.of().formatHex(action);
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int status = 0;
      while (System.nanoTime() < deadline && status != 200) {
        status =
            http.send(
                    java.net.http.HttpRequest.newBuilder(server.url().resolve("/action/" + hex))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding())
                .statusCode();
        Thread.sleep(100);
      }
      assertThat(status).as("the daemon uploaded the put").isEqualTo(200);
      // a session on a fresh directory gets it from the server through the daemon
      env.put("PROGCACHE_DIR", tmp.resolve("fresh").toString());
      Map<String, Object> hit;
      try (HelperProcess h = relay()) {
        h.write(get(1, action));
        hit = Answers.parse(h.readLine(30));
        h.closeStdin();
      }
      String log;
      try (var logs = Files.newDirectoryStream(sockets, "*.log")) {
        StringBuilder b = new StringBuilder();
        for (Path l : logs) {
          b.append(Files.readString(l));
        }
        log = b.toString();
      }
      assertThat(hit)
          .as("daemon log:\n%s\nserver log:\n%s", log, server.stderr())
          .containsEntry("Size", 20_000L);
      assertThat(Path.of((String) hit.get("DiskPath")))
          .startsWith(tmp.resolve("fresh"))
          .hasBinaryContent(body);
    }
  }

  @Test
  void daemon_exitsWhenIdle() throws Exception {
    env.put("PROGCACHE_DAEMON_IDLE", "1");
    try (HelperProcess h = relay()) {
      h.closeStdin();
      h.waitFor(30);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String out = "";
    while (System.nanoTime() < deadline) {
      out = Cmd.run(tmp, env, 30, Dist.launcher().toString(), "daemon", "status").out();
      if (out.contains("no daemon")) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(out).contains("no daemon");
  }

  @Test
  void relay_withoutAnyDaemonPossible_fallsBackToTheOneShotHelper() throws Exception {
    // a socket directory that cannot be created: the daemon cannot listen there
    Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
    env.put("PROGCACHE_SOCKET_DIR", file.resolve("sub").toString());
    HelperProcess h = HelperProcess.startProgram(Dist.relay(), env);
    try (h) {
      assertThat(h.readLine(60)).contains("KnownCommands");
      h.write(get(1, random(rnd, 32)));
      assertThat(Answers.parse(h.readLine(30))).containsEntry("Miss", true);
      h.closeStdin();
      assertThat(h.waitFor(30)).isZero();
    }
    assertThat(h.stderr()).contains("running the one-shot helper");
  }

  @Test
  void aHangingServer_costsOneTimeoutPerDaemon_notOnePerGoCommand() throws Exception {
    try (dev.progcache.testing.FaultServer server =
        dev.progcache.testing.FaultServer.start("127.0.0.1")) {
      server.mode(dev.progcache.testing.FaultServer.Mode.HANG);
      Path mod = dev.progcache.testing.GoRun.tinyModule(tmp.resolve("tiny"));
      Map<String, String> e = new HashMap<>(env);
      e.put("PROGCACHE_REMOTE_TIMEOUT", "3s");
      List<String> helper = List.of("-v", "--remote", server.url().toString());
      List<Long> millis = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        // a new main package each time: every go command misses locally and asks the server
        Files.writeString(
            mod.resolve("main.go"), "package main\n\nfunc main() { println(" + i + ") }\n");
        dev.progcache.testing.GoRun.Result r =
            dev.progcache.testing.GoRun.go(
                Dist.relay(),
                mod,
                tmp.resolve("home"),
                helper,
                e,
                120,
                "build",
                "-o",
                tmp.resolve("bin").toString(),
                ".");
        assertThat(r.exit()).as("go build %d; stderr:\n%s", i, r.stderr()).isZero();
        millis.add(r.millis());
      }
      assertThat(millis.get(0))
          .as("the first go command waits out the timeout")
          .isGreaterThanOrEqualTo(3000);
      assertThat(millis.subList(1, 20))
          .as("later go commands never wait for the hanging server (ms per command)")
          .allMatch(ms -> ms < 3000);
      System.out.println("DaemonIT: 20 go builds against a hanging server, ms each: " + millis);
    }
  }
}
