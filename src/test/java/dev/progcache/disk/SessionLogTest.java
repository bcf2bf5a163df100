package dev.progcache.disk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class SessionLogTest {
  @TempDir Path dir;

  @Test
  void append_thenRecent_returnsSessionsOldestFirst() throws Exception {
    SessionLog.append(dir, 1_000_000_000_000L, "gets=10 hits=8");
    SessionLog.append(dir, 2_000_000_000_000L, "gets=5 hits=1");
    var s = SessionLog.recent(dir, 10);
    assertThat(s).hasSize(2);
    assertThat(s.get(0).endSeconds()).isEqualTo(1000);
    assertThat(s.get(1).get("hits")).isEqualTo(1);
    assertThat(SessionLog.recent(dir, 1)).hasSize(1);
  }

  @Test
  void append_manySessions_staysBounded() throws Exception {
    for (int i = 0; i < 3000; i++) {
      SessionLog.append(dir, i * 1_000_000_000L, "gets=" + i + " hits=" + i + " misses=0 puts=0");
    }
    assertThat(Files.size(dir.resolve(SessionLog.NAME)))
        .isLessThanOrEqualTo(SessionLog.MAX_BYTES + 200);
    var s = SessionLog.recent(dir, 10_000);
    assertThat(s.get(s.size() - 1).get("gets")).isEqualTo(2999);
  }

  @Test
  void recent_skipsMalformedLines() throws Exception {
    Files.writeString(dir.resolve(SessionLog.NAME), "garbage\n12 gets=x\n13 gets=4\n");
    assertThat(SessionLog.recent(dir, 10)).hasSize(1);
  }
}
