package dev.progcache.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.FaultServer;
import dev.progcache.testing.FaultServer.Mode;
import dev.progcache.testing.HelperProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Case 32: the breaker opens on a failing remote, stops calling it, then recovers by a probe. */
@Timeout(120)
class BreakerRecoversIT {
  @TempDir Path tmp;

  @Test
  void case32_breakerOpensThenRecovers() throws Exception {
    try (FaultServer server = FaultServer.start("127.0.0.1")) {
      byte[] body = "after recovery".getBytes(StandardCharsets.UTF_8);
      byte[] action =
          MessageDigest.getInstance("SHA-256").digest("known".getBytes(StandardCharsets.UTF_8));
      String out = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
      server.store().put(HexFormat.of().formatHex(action), new FaultServer.Stored(out, body));
      server.mode(Mode.ERROR_500);
      Map<String, String> env =
          Map.of(
              "PROGCACHE_REMOTE", server.url().toString(),
              "PROGCACHE_REMOTE_BREAKER_FAILURES", "3",
              "PROGCACHE_REMOTE_BREAKER_OPEN", "1s",
              "PROGCACHE_REMOTE_NEGATIVE_TTL", "0",
              "PROGCACHE_PREFETCH", "false"); // the request counts below are the gets' only
      try (HelperProcess h = HelperProcess.start(env, "--dir", tmp.resolve("c").toString(), "-v")) {
        assertThat(h.readLine(30)).contains("KnownCommands");
        int id = 1;
        for (int i = 0; i < 3; i++) {
          assertThat(get(h, id++, action)).contains("\"Miss\":true");
        }
        int seen = server.requests();
        assertThat(seen).isEqualTo(3);
        for (int i = 0; i < 5; i++) {
          assertThat(get(h, id++, action)).contains("\"Miss\":true");
        }
        assertThat(server.requests()).as("breaker open: no calls").isEqualTo(seen);
        server.mode(Mode.NORMAL);
        Thread.sleep(1300);
        // half-open: the probe goes out in the background and this get is answered at once
        assertThat(get(h, id++, action)).contains("\"Miss\":true");
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (server.requests() == seen && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(server.requests()).as("the probe reached the server").isEqualTo(seen + 1);
        // the probe's hit was stored: the next gets find it (locally once it has landed)
        String hit = get(h, id++, action);
        while (hit.contains("\"Miss\"") && System.nanoTime() < deadline) {
          Thread.sleep(20);
          hit = get(h, id++, action);
        }
        assertThat(hit).contains("\"DiskPath\"").contains("\"Size\":" + body.length);
        h.write("{\"ID\":" + id + ",\"Command\":\"close\"}\n");
        assertThat(h.readLine(30)).isEqualTo("{\"ID\":" + id + "}");
        assertThat(h.waitFor(30)).isZero();
        assertThat(h.stderr()).contains("remote-hits=1").contains("errors=0");
      }
    }
  }

  private static String get(HelperProcess h, int id, byte[] action) throws Exception {
    h.write(
        "{\"ID\":"
            + id
            + ",\"Command\":\"get\",\"ActionID\":\""
            + Base64.getEncoder().encodeToString(action)
            + "\"}\n");
    String l = h.readLine(30);
    assertThat(l).contains("\"ID\":" + id);
    return l;
  }
}
