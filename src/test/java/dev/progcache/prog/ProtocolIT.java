package dev.progcache.prog;

import static dev.progcache.testing.Requests.b64;
import static dev.progcache.testing.Requests.close;
import static dev.progcache.testing.Requests.get;
import static dev.progcache.testing.Requests.put;
import static dev.progcache.testing.Requests.random;
import static dev.progcache.testing.Requests.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Answers;
import dev.progcache.testing.HelperProcess;
import dev.progcache.testing.Requests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Reliability scenarios 1-13: the real helper process driven over raw pipes. */
@Timeout(120)
class ProtocolIT {
  @TempDir Path dir;
  private final Random rnd = new Random(42);

  private HelperProcess start() throws Exception {
    HelperProcess h = HelperProcess.start(dir);
    assertThat(h.readLine(20))
        .isEqualTo("{\"ID\":0,\"KnownCommands\":[\"get\",\"put\",\"close\"]}");
    return h;
  }

  private static Map<String, Object> answer(HelperProcess h) throws Exception {
    String l = h.readLine(30);
    assertThat(l).as("an answer line").isNotNull();
    return Answers.parse(l);
  }

  @Test
  void s01_handshake_isWrittenBeforeAnyInput() throws Exception {
    try (HelperProcess h = HelperProcess.start(dir)) {
      // nothing written to stdin yet
      assertThat(Answers.parse(h.readLine(20)))
          .containsEntry("ID", 0L)
          .containsEntry("KnownCommands", List.of("get", "put", "close"));
      h.closeStdin();
      assertThat(h.waitFor(20)).isZero();
    }
  }

  @Test
  void s01_helperWithoutArguments_takesItsDirFromTheEnvironment() throws Exception {
    try (HelperProcess h = HelperProcess.start(Map.of("PROGCACHE_DIR", dir.toString()))) {
      assertThat(h.readLine(20)).contains("KnownCommands");
      byte[] action = random(rnd, 32);
      h.write(put(1, action, random(rnd, 10)));
      assertThat(Path.of((String) answer(h).get("DiskPath"))).startsWith(dir);
      h.closeStdin();
      assertThat(h.waitFor(20)).isZero();
    }
  }

  @Test
  void s01_helperWithoutDirOrGocache_usesGoCacheDirOfHome() throws Exception {
    Path home = dir.resolve("home");
    try (HelperProcess h =
        HelperProcess.start(
            Map.of("HOME", home.toString(), "GOENV", "off", "XDG_CACHE_HOME", ""))) {
      assertThat(h.readLine(20)).contains("KnownCommands");
      h.write(put(1, random(rnd, 32), random(rnd, 10)));
      assertThat(Path.of((String) answer(h).get("DiskPath")))
          .startsWith(home.resolve(".cache/go-build/progcache/o"));
      h.closeStdin();
      assertThat(h.waitFor(20)).isZero();
    }
  }

  @Test
  void s02_get_missThenHitAfterPut() throws Exception {
    byte[] action = random(rnd, 32);
    byte[] body = random(rnd, 1000);
    try (HelperProcess h = start()) {
      h.write(get(1, action));
      assertThat(answer(h)).isEqualTo(Map.of("ID", 1L, "Miss", true));
      h.write(put(2, action, body));
      Map<String, Object> p = answer(h);
      assertThat(p.get("ID")).isEqualTo(2L);
      Path path = Path.of((String) p.get("DiskPath"));
      assertThat(path).isAbsolute().hasBinaryContent(body);
      h.write(get(3, action));
      Map<String, Object> g = answer(h);
      assertThat(g)
          .containsEntry("ID", 3L)
          .containsEntry("OutputID", b64(sha256(body)))
          .containsEntry("Size", 1000L)
          .containsEntry("DiskPath", path.toString())
          .doesNotContainKey("Miss");
      h.write(close(4));
      assertThat(answer(h)).isEqualTo(Map.of("ID", 4L));
      assertThat(h.waitFor(20)).isZero();
      assertThat(h.stderr()).contains("gets=2 hits=1 misses=1 puts=1");
    }
  }

  @Test
  void s03_put_withoutBody_storesEmptyFile() throws Exception {
    byte[] action = random(rnd, 32);
    try (HelperProcess h = start()) {
      h.write(put(1, action, new byte[0]));
      Map<String, Object> p = answer(h);
      assertThat(Path.of((String) p.get("DiskPath"))).exists().isEmptyFile();
      h.write(get(2, action));
      Map<String, Object> g = answer(h);
      assertThat(g).containsEntry("OutputID", b64(sha256(new byte[0]))).doesNotContainKey("Size");
      assertThat(g).containsKey("DiskPath").containsKey("Time");
    }
  }

  @Test
  void s04_put_acceptsObjectIdOnlyOutputIdOnlyAndBoth() throws Exception {
    try (HelperProcess h = start()) {
      long id = 1;
      for (String field : List.of("ObjectID", "OutputID", "both")) {
        byte[] action = random(rnd, 32);
        byte[] body = random(rnd, 77);
        h.write(Requests.putWith(id++, action, body, field));
        assertThat(answer(h)).as(field).containsKey("DiskPath").doesNotContainKey("Err");
        h.write(get(id++, action));
        assertThat(answer(h)).as(field).containsEntry("OutputID", b64(sha256(body)));
      }
    }
  }

  @Test
  void s05_manyRequestsInFlight_eachAnsweredExactlyOnce() throws Exception {
    int n = 300;
    byte[][] actions = new byte[n][];
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < n; i++) {
      actions[i] = random(rnd, 32);
      all.append(i % 2 == 0 ? put(i + 1, actions[i], random(rnd, i * 10)) : get(i + 1, actions[i]));
    }
    try (HelperProcess h = start()) {
      h.write(all.toString()); // all before reading any answer
      Set<Long> seen = new HashSet<>();
      for (int i = 0; i < n; i++) {
        Map<String, Object> a = answer(h);
        assertThat(a).doesNotContainKey("Err");
        assertThat(seen.add((Long) a.get("ID"))).as("duplicate answer %s", a).isTrue();
      }
      assertThat(seen).hasSize(n);
      h.write(close(n + 1));
      assertThat(answer(h)).isEqualTo(Map.of("ID", (long) n + 1));
      assertThat(h.readLine(20)).as("nothing after the close answer").isNull();
    }
  }

  @Test
  void s06_oneMebibyteBody_isStoredExactly() throws Exception {
    byte[] action = random(rnd, 32);
    byte[] body = random(rnd, 1 << 20);
    try (HelperProcess h = start()) {
      h.write(put(1, action, body));
      assertThat(Path.of((String) answer(h).get("DiskPath"))).hasBinaryContent(body);
    }
  }

  @Test
  @Timeout(300)
  void s06_512MiBBody_isStreamedWithBoundedMemory() throws Exception {
    long size = 512L << 20;
    // the body is a repeated 3-byte pattern, so its base64 is a repeated 4-char pattern
    byte[] chunk = new byte[3 << 16];
    for (int i = 0; i < chunk.length; i++) {
      chunk[i] = (byte) "abc".charAt(i % 3);
    }
    String chunk64 = b64(chunk);
    java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
    long chunks = size / chunk.length;
    long rest = size - chunks * chunk.length;
    for (long i = 0; i < chunks; i++) {
      md.update(chunk);
    }
    md.update(chunk, 0, (int) rest);
    byte[] out = md.digest();
    byte[] action = random(rnd, 32);
    try (HelperProcess h =
        HelperProcess.start(Map.of("PROGCACHE_JAVA_OPTS", "-Xmx48m"), "--dir", dir.toString())) {
      assertThat(h.readLine(20)).contains("KnownCommands");
      h.write(
          "{\"ID\":1,\"Command\":\"put\",\"ActionID\":\""
              + b64(action)
              + "\",\"OutputID\":\""
              + b64(out)
              + "\",\"BodySize\":"
              + size
              + "}\n\"");
      byte[] c = chunk64.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      for (long i = 0; i < chunks; i++) {
        h.stdin().write(c);
      }
      h.stdin()
          .write(
              b64(java.util.Arrays.copyOf(chunk, (int) rest))
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      h.write("\"\n");
      Map<String, Object> a = answer(h);
      assertThat(a).doesNotContainKey("Err");
      assertThat(Files.size(Path.of((String) a.get("DiskPath")))).isEqualTo(size);
      h.write(close(2));
      assertThat(answer(h)).isEqualTo(Map.of("ID", 2L));
      assertThat(h.waitFor(30)).as("exit status (a heap over -Xmx48m would fail)").isZero();
    }
  }

  @Test
  void s07_unknownCommand_isErrAndUnknownFieldsAreIgnored() throws Exception {
    byte[] action = random(rnd, 32);
    try (HelperProcess h = start()) {
      h.write("{\"ID\":1,\"Command\":\"frobnicate\"}\n");
      assertThat((String) answer(h).get("Err")).contains("unknown command");
      h.write(
          "{\"ID\":2,\"Command\":\"get\",\"Future\":{\"x\":[1,2,{\"y\":null}]},\"ActionID\":\""
              + b64(action)
              + "\",\"Extra\":\"z\"}\n");
      assertThat(answer(h)).isEqualTo(Map.of("ID", 2L, "Miss", true));
    }
  }

  @Test
  void s08_garbageLine_exitsNonZeroNamingTheRequest() throws Exception {
    try (HelperProcess h = start()) {
      h.write(get(1, random(rnd, 32)));
      answer(h);
      h.write("this is not json\n");
      assertThat(h.waitFor(20)).isNotZero();
      assertThat(h.stderr()).contains("malformed").contains("request #2").contains("after ID 1");
    }
  }

  @Test
  void s08_truncatedBase64Body_exitsNonZeroWithoutPartialFiles() throws Exception {
    byte[] body = random(rnd, 5000);
    String line = put(1, random(rnd, 32), body);
    int cut = line.indexOf('"', line.indexOf('\n')) + 101; // inside the body string
    try (HelperProcess h = start()) {
      h.write(line.substring(0, cut) + "!!\"\n");
      assertThat(h.waitFor(20)).isNotZero();
      assertThat(h.stderr()).contains("request #1").contains("body");
    }
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void s08_bodyShorterThanBodySize_isErr() throws Exception {
    byte[] body = random(rnd, 300);
    String b64 = b64(sha256(body));
    try (HelperProcess h = start()) {
      h.write(
          "{\"ID\":1,\"Command\":\"put\",\"ActionID\":\""
              + b64(random(rnd, 32))
              + "\",\"OutputID\":\""
              + b64
              + "\",\"BodySize\":400}\n\""
              + b64(body)
              + "\"\n");
      assertThat((String) answer(h).get("Err")).contains("300").contains("400");
      h.write(get(2, random(rnd, 32)));
      assertThat(answer(h)).containsEntry("Miss", true);
    }
    assertThat(tempFiles()).isEmpty();
  }

  @Test
  void s08_wrongLengthIds_areErr() throws Exception {
    try (HelperProcess h = start()) {
      h.write(get(1, random(rnd, 31)));
      assertThat((String) answer(h).get("Err")).contains("ActionID").contains("31");
      byte[] body = random(rnd, 10);
      h.write(
          "{\"ID\":2,\"Command\":\"put\",\"ActionID\":\""
              + b64(random(rnd, 32))
              + "\",\"OutputID\":\""
              + b64(random(rnd, 8))
              + "\",\"BodySize\":10}\n\""
              + b64(body)
              + "\"\n");
      assertThat((String) answer(h).get("Err")).contains("OutputID");
      h.write(get(3, random(rnd, 32)));
      assertThat(answer(h)).containsEntry("ID", 3L).containsEntry("Miss", true);
    }
  }

  @Test
  void s08_outputIdNotMatchingBody_isErrAndNothingStored() throws Exception {
    byte[] action = random(rnd, 32);
    try (HelperProcess h = start()) {
      h.write(
          "{\"ID\":1,\"Command\":\"put\",\"ActionID\":\""
              + b64(action)
              + "\",\"OutputID\":\""
              + b64(random(rnd, 32))
              + "\",\"BodySize\":3}\n\""
              + b64(new byte[] {1, 2, 3})
              + "\"\n");
      assertThat((String) answer(h).get("Err")).contains("sha256");
      h.write(get(2, action));
      assertThat(answer(h)).containsEntry("Miss", true);
    }
  }

  @Test
  void s09_stdinEofWithoutClose_exitsPromptly() throws Exception {
    try (HelperProcess h = start()) {
      h.write(put(1, random(rnd, 32), random(rnd, 10)));
      answer(h);
      h.closeStdin();
      assertThat(h.waitFor(10)).isZero();
    }
  }

  @Test
  void s10_close_isAnsweredAfterEveryEarlierRequest() throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= 50; i++) {
      b.append(put(i, random(rnd, 32), random(rnd, 20_000)));
    }
    b.append(close(51));
    try (HelperProcess h = start()) {
      h.write(b.toString());
      for (int i = 1; i <= 50; i++) {
        assertThat(answer(h)).doesNotContainKey("Err").containsKey("DiskPath");
      }
      assertThat(answer(h)).isEqualTo(Map.of("ID", 51L));
      assertThat(h.waitFor(10)).isZero();
    }
  }

  @Test
  void s11_stdoutCarriesOnlyProtocol_evenWithErrors() throws Exception {
    try (HelperProcess h = start()) {
      h.write("{\"ID\":1,\"Command\":\"nope\"}\n");
      h.write(get(2, random(rnd, 3)));
      h.write(put(3, random(rnd, 32), random(rnd, 100)));
      h.write(close(4));
      int lines = 0;
      for (String l = h.readLine(30); l != null; l = h.readLine(30)) {
        assertThat(Answers.parse(l)).containsKey("ID");
        lines++;
      }
      assertThat(lines).isEqualTo(4);
      assertThat(h.waitFor(10)).isZero();
      assertThat(h.stderr()).contains("unknown command");
    }
  }

  @Test
  void s12_time_hasNanosecondsAndIsStableAcrossRuns() throws Exception {
    byte[] action = random(rnd, 32);
    String first;
    try (HelperProcess h = start()) {
      h.write(put(1, action, random(rnd, 50)));
      answer(h);
      h.write(get(2, action));
      first = (String) answer(h).get("Time");
      h.write(close(3));
      answer(h);
    }
    assertThat(first).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z");
    assertThat(java.time.Instant.parse(first))
        .isCloseTo(
            java.time.Instant.now(),
            org.assertj.core.api.Assertions.within(60, java.time.temporal.ChronoUnit.SECONDS));
    try (HelperProcess h = start()) {
      h.write(get(1, action));
      assertThat(answer(h)).containsEntry("Time", first);
    }
  }

  @Test
  void s13_diskPathFiles_surviveHelperExit() throws Exception {
    Map<Path, byte[]> stored = new HashMap<>();
    try (HelperProcess h = start()) {
      for (int i = 1; i <= 5; i++) {
        byte[] body = random(rnd, i * 1000);
        h.write(put(i, random(rnd, 32), body));
        stored.put(Path.of((String) answer(h).get("DiskPath")), body);
      }
      h.write(close(6));
      answer(h);
      assertThat(h.waitFor(10)).isZero();
    }
    stored.forEach((p, body) -> assertThat(p).startsWith(dir).hasBinaryContent(body));
  }

  private List<Path> tempFiles() throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(".tmp-")).toList();
    }
  }
}
