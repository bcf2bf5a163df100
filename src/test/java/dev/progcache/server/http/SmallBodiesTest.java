package dev.progcache.server.http;

import static dev.progcache.testing.Hashes.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.cache.Key;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class SmallBodiesTest {
  @TempDir Path tmp;

  private Path file(String name, byte[] b) throws IOException {
    return Files.write(tmp.resolve(name), b);
  }

  @Test
  void aVerifiedBody_isServedFromMemory_once_read() throws Exception {
    byte[] b = "a small object".getBytes(StandardCharsets.UTF_8);
    Path f = file("one", b);
    SmallBodies s = new SmallBodies(1 << 20);
    assertThat(s.read(key(b), b.length, f)).isEqualTo(b);
    Files.delete(f);
    assertThat(s.read(key(b), b.length, f)).as("no disk read the second time").isEqualTo(b);
    assertThat(s.bytes()).isGreaterThanOrEqualTo(b.length);
  }

  @Test
  void bytesThatDoNotHashToTheirId_areSent_butNeverKept() throws Exception {
    byte[] b = "what the disk holds now".getBytes(StandardCharsets.UTF_8);
    Key claimed = key("what was stored".getBytes(StandardCharsets.UTF_8));
    Path f = file("bad", b);
    SmallBodies s = new SmallBodies(1 << 20);
    assertThat(s.read(claimed, b.length, f)).isEqualTo(b);
    Files.delete(f);
    assertThatThrownBy(() -> s.read(claimed, b.length, f)).isInstanceOf(NoSuchFileException.class);
    assertThat(s.bytes()).isZero();
  }

  @Test
  void aBodyOfTheWrongSize_isAnError() throws Exception {
    byte[] b = "twelve bytes".getBytes(StandardCharsets.UTF_8);
    Path f = file("short", b);
    assertThatThrownBy(() -> new SmallBodies(1 << 20).read(key(b), b.length + 1, f))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("changed size");
  }

  @Test
  void largeBodies_areNotKept_andTheBudgetHolds() throws Exception {
    byte[] big = new byte[SmallBodies.MAX_BODY + 1];
    Path bf = file("big", big);
    SmallBodies s = new SmallBodies(64 << 10);
    s.read(key(big), big.length, bf);
    assertThat(s.bytes()).isZero();
    for (int i = 0; i < 200; i++) {
      byte[] b = ("object " + i).repeat(100).getBytes(StandardCharsets.UTF_8);
      s.read(key(b), b.length, file("o" + i, b));
      assertThat(s.bytes()).isLessThanOrEqualTo(64 << 10);
    }
    assertThat(s.bytes()).isPositive();
  }
}
