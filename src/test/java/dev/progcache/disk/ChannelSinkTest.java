package dev.progcache.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.cache.Buffers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ChannelSinkTest {
  @TempDir Path tmp;

  @Test
  void writesEveryByteInOrder_acrossManyBufferFills_singleBytesIncluded() throws IOException {
    byte[] data = new byte[3 * Buffers.SIZE + 123];
    new Random(7).nextBytes(data);
    Path f = tmp.resolve("f");
    try (FileChannel ch =
            FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ChannelSink out = new ChannelSink(ch)) {
      out.write(data[0]);
      out.write(data, 1, Buffers.SIZE - 1); // exactly fills the buffer
      out.write(data, Buffers.SIZE, 5);
      long n = Buffers.copy(new ByteArrayInputStream(data, Buffers.SIZE + 5, data.length), out);
      assertThat(n).isEqualTo(data.length - Buffers.SIZE - 5L);
    }
    assertThat(Files.readAllBytes(f)).isEqualTo(data);
  }

  @Test
  void flushWritesWhatIsBuffered_andWritesAfterCloseFail() throws IOException {
    Path f = tmp.resolve("f");
    try (FileChannel ch =
        FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ChannelSink out = new ChannelSink(ch);
      out.write(new byte[] {1, 2, 3}, 0, 3);
      assertThat(Files.size(f)).isZero();
      out.flush();
      assertThat(Files.size(f)).isEqualTo(3);
      out.close();
      out.close(); // twice is harmless
      assertThatThrownBy(() -> out.write(4)).isInstanceOf(IOException.class);
      assertThat(Files.readAllBytes(f)).containsExactly(1, 2, 3);
    }
  }

  @Test
  void pooledBuffersComeBackCleared() {
    var b = Buffers.direct();
    b.put((byte) 9);
    Buffers.give(b);
    var again = Buffers.direct();
    assertThat(again.position()).isZero();
    assertThat(again.remaining()).isEqualTo(Buffers.SIZE);
    Buffers.give(again);
  }
}
