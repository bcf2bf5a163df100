package dev.progcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.cache.Entry;
import dev.progcache.cache.Key;
import dev.progcache.testing.FakeHelper;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** ProgClient against small helpers that break the protocol in one way each. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProgClientFaultsIT {
  @TempDir Path dir;

  private ProgClientBuilder fake(String mode, int trigger) {
    return ProgClient.builder(FakeHelper.command(mode, dir, trigger))
        .stderr(Redirect.appendTo(dir.resolve("stderr.log").toFile()))
        .handshakeTimeout(Duration.ofSeconds(30))
        .requestTimeout(Duration.ofSeconds(30))
        .exitGrace(Duration.ofSeconds(2));
  }

  private ProgClient start(String mode) throws IOException {
    return fake(mode, 1).start();
  }

  private static Key key(int seed) {
    return ProgClientIT.key(new Random(seed));
  }

  /** Runs {@code n} gets at once and returns each one's failure. */
  private static List<Throwable> concurrentGets(ProgClient c, int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int seed = i;
        fs.add(pool.submit(() -> c.get(key(seed))));
      }
      List<Throwable> errors = new ArrayList<>();
      for (Future<?> f : fs) {
        try {
          f.get();
          errors.add(new AssertionError("a get succeeded"));
        } catch (ExecutionException e) {
          errors.add(e.getCause());
        }
      }
      return errors;
    } finally {
      pool.shutdownNow();
    }
  }

  /** close() after a failed session still ends the helper, and reports the failure. */
  private static void assertCloseReports(ProgClient c, String fragment) {
    assertThatThrownBy(c::close)
        .isInstanceOf(HelperFailedException.class)
        .hasMessageContaining("the session had failed")
        .hasMessageContaining(fragment);
    assertThat(c.exitStatus()).isPresent();
  }

  @Test
  void get_answerForUnknownId_failsEveryWaiter() throws Exception {
    ProgClient c = fake("unknown-id", 3).start();
    try {
      List<Throwable> errors = concurrentGets(c, 3);
      assertThat(errors)
          .allSatisfy(
              e ->
                  assertThat(e)
                      .isInstanceOf(HelperFailedException.class)
                      .hasMessageContaining("unknown request ID"));
      assertThatThrownBy(() -> c.get(key(9)))
          .isInstanceOf(HelperFailedException.class)
          .hasMessageContaining("unknown request ID");
    } finally {
      assertCloseReports(c, "unknown request ID");
    }
  }

  @Test
  void get_duplicateAnswer_failsSessionAsUnknownId() throws Exception {
    ProgClient c = start("duplicate");
    try {
      // the first answer arrives; its duplicate then ends the session
      assertThat(c.get(key(1))).isEmpty();
      assertThatThrownBy(
              () -> {
                for (int i = 0; i < 50; i++) {
                  c.get(key(2));
                  Thread.sleep(20);
                }
              })
          .isInstanceOf(HelperFailedException.class)
          .hasMessageContaining("unknown request ID 1");
    } finally {
      assertCloseReports(c, "unknown request ID 1");
    }
  }

  @Test
  void get_helperClosesStdoutEarly_failsEveryWaiter() throws Exception {
    ProgClient c = fake("early-eof", 3).start();
    try {
      assertThat(concurrentGets(c, 3))
          .allSatisfy(
              e ->
                  assertThat(e)
                      .isInstanceOf(HelperFailedException.class)
                      .hasMessageContaining("exited pre-Close with 3 pending requests"));
    } finally {
      assertCloseReports(c, "exited pre-Close");
    }
  }

  @Test
  void get_garbageLine_failsEveryWaiterWithBadJson() throws Exception {
    ProgClient c = fake("garbage", 2).start();
    try {
      assertThat(concurrentGets(c, 2))
          .allSatisfy(
              e ->
                  assertThat(e)
                      .isInstanceOf(HelperFailedException.class)
                      .hasMessageContaining("error reading JSON"));
    } finally {
      assertCloseReports(c, "error reading JSON");
    }
  }

  @Test
  void get_hitWithoutDiskPath_isMissWithReason() throws Exception {
    try (ProgClient c = start("no-diskpath")) {
      Key a = key(1);
      assertThatThrownBy(() -> c.put(a, new byte[] {1}))
          .isInstanceOf(ProgClientException.class)
          .hasMessageContaining("didn't return DiskPath in put response");
      GetResult r = c.lookup(a);
      assertThat(r).isInstanceOf(GetResult.Miss.class);
      assertThat(((GetResult.Miss) r).reason()).contains("didn't populate DiskPath");
      assertThat(c.get(a)).isEmpty();
    }
  }

  @Test
  void get_hitWithShortOutputId_isMissWithReason() throws Exception {
    try (ProgClient c = start("short-outputid")) {
      Key a = key(1);
      c.put(a, new byte[] {1, 2});
      GetResult r = c.lookup(a);
      assertThat(r).isInstanceOf(GetResult.Miss.class);
      assertThat(((GetResult.Miss) r).reason()).contains("OutputID: 16 bytes");
    }
  }

  @Test
  void get_hitWithoutTime_usesNow() throws Exception {
    Instant now = Instant.parse("2030-01-02T03:04:05.123456789Z");
    try (ProgClient c = fake("no-time", 1).clock(Clock.fixed(now, ZoneOffset.UTC)).start()) {
      Key a = key(1);
      c.put(a, new byte[] {1, 2});
      Entry e = c.get(a).orElseThrow();
      assertThat(e.timeNanos()).isEqualTo(now.getEpochSecond() * 1_000_000_000L + now.getNano());
    }
  }

  @Test
  void put_helperWithoutPut_isNoOpReturningComputedId() throws Exception {
    try (ProgClient c = start("no-put")) {
      assertThat(c.knownCommands()).containsExactlyInAnyOrder("get", "close");
      byte[] body = {4, 5, 6};
      PutResult r = c.put(key(1), body);
      assertThat(r.stored()).isFalse();
      assertThat(r.outputId()).isEqualTo(ProgClientIT.sha256(body));
      assertThat(r.size()).isEqualTo(3);
      assertThat(c.outputFile(r.outputId())).isEmpty();
    }
  }

  @Test
  void close_helperWithoutClose_closesStdinAndHelperExits() throws Exception {
    ProgClient c = start("no-close");
    c.put(key(1), new byte[] {1});
    c.close();
    assertThat(c.killed()).isFalse();
    assertThat(c.exitStatus()).hasValue(0);
  }

  @Test
  void close_helperIgnoringEof_isKilledAfterGrace() throws Exception {
    ProgClient c = start("ignore-eof");
    long t0 = System.nanoTime();
    c.close();
    assertThat(c.killed()).isTrue();
    assertThat(c.exitStatus()).isPresent();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void start_noHandshake_logsStillWaitingThenFails() {
    List<String> log = new CopyOnWriteArrayList<>();
    ProgClientBuilder b =
        fake("no-handshake", 1)
            .waitLogInterval(Duration.ofMillis(200))
            .handshakeTimeout(Duration.ofMillis(1500))
            .log(log::add);
    assertThatThrownBy(b::start)
        .isInstanceOf(HelperFailedException.class)
        .hasMessageContaining("sent no handshake within 1500 ms");
    assertThat(log).hasSizeGreaterThanOrEqualTo(3);
    assertThat(log.getFirst()).startsWith("still waiting for GOCACHEPROG ").endsWith(" ...");
  }

  @Test
  void start_noCommandsDeclared_fails() {
    assertThatThrownBy(() -> start("no-commands"))
        .isInstanceOf(HelperFailedException.class)
        .hasMessageContaining("declared no supported commands");
  }

  @Test
  void start_programExitsBeforeHandshake_failsWithoutHanging() {
    assertThatThrownBy(() -> ProgClient.builder("sh -c 'exit 3'").start())
        .isInstanceOf(HelperFailedException.class)
        .hasMessageContaining("exited pre-Close");
  }

  @Test
  void start_missingProgram_saysWhichProgram() {
    assertThatThrownBy(() -> ProgClient.start(dir.resolve("no-such-helper") + " --flag"))
        .isInstanceOf(HelperFailedException.class)
        .hasMessageContaining("error starting GOCACHEPROG program")
        .hasMessageContaining("no-such-helper");
  }

  @Test
  void start_badQuote_isClearError() {
    assertThatThrownBy(() -> ProgClient.start("helper 'unterminated"))
        .isInstanceOf(HelperFailedException.class)
        .hasMessageContaining("GOCACHEPROG args: unterminated ' string");
  }

  @Test
  void start_stderrRedirect_receivesHelperStderr() throws Exception {
    Path log = dir.resolve("own.log");
    try (ProgClient c = fake("good", 1).stderr(Redirect.to(log.toFile())).start()) {
      c.get(key(1));
    }
    assertThat(Files.readString(log)).contains("fake helper good started");
  }
}
