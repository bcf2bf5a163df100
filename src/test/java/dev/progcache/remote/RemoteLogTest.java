package dev.progcache.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Stats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RemoteLogTest {
  @Test
  void aDownRemote_costsTheSessionOneLine_whateverFailsAfterwards() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    RemoteLog log = new RemoteLog(new Stats(), new PrintStream(b, true, StandardCharsets.UTF_8));
    log.once(
        "get", "remote cache http://h:1 get failed, continuing without it: connection refused");
    log.once("put", "remote cache http://h:1 upload failed: connection refused");
    log.once("prefetch", "remote cache http://h:1 prefetch failed, building without it");
    log.once("get", "remote cache http://h:1 get failed again");
    assertThat(b.toString(StandardCharsets.UTF_8).lines())
        .containsExactly(
            "progcache: remote cache http://h:1 get failed, continuing without it: connection refused");
  }
}
