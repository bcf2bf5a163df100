package dev.progcache.remote.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ReadBufferTest {
  /** Hands out at most 7 bytes per read and refuses available(), as the test of the property. */
  private static final class Trickle extends InputStream {
    private final ByteArrayInputStream in;
    int reads;

    Trickle(byte[] b) {
      in = new ByteArrayInputStream(b);
    }

    @Override
    public int read() {
      throw new AssertionError("single-byte read of the wrapped stream");
    }

    @Override
    public int read(byte[] b, int off, int len) {
      reads++;
      return in.read(b, off, Math.min(len, 7));
    }

    @Override
    public int available() {
      throw new AssertionError("available() of the wrapped stream");
    }
  }

  @Test
  void mixedReads_returnEveryByteInOrder_withoutAskingAvailable() throws IOException {
    byte[] data = new byte[10_000];
    new Random(7).nextBytes(data);
    Trickle t = new Trickle(data);
    ReadBuffer r = new ReadBuffer(t, 16);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Random sizes = new Random(11);
    while (true) {
      if (sizes.nextInt(4) == 0) {
        int c = r.read();
        if (c < 0) {
          break;
        }
        out.write(c);
      } else {
        byte[] b = new byte[1 + sizes.nextInt(40)]; // below and above the buffer's 16 bytes
        int n = r.read(b, 0, b.length);
        if (n < 0) {
          break;
        }
        assertThat(n).isPositive();
        out.write(b, 0, n);
      }
    }
    assertThat(out.toByteArray()).isEqualTo(data);
    assertThat(r.read()).isEqualTo(-1);
    assertThat(r.read(new byte[4], 0, 4)).isEqualTo(-1);
    assertThat(r.read(new byte[4], 0, 0)).isZero();
  }

  @Test
  void aReadAsBigAsTheBuffer_goesStraightToTheWrappedStream() throws IOException {
    byte[] data = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    Trickle t = new Trickle(data);
    ReadBuffer r = new ReadBuffer(t, 4);
    byte[] b = new byte[9];
    assertThat(r.read(b, 0, 9)).isEqualTo(7);
    assertThat(r.available()).as("nothing was buffered").isZero();
    assertThat(r.read()).isEqualTo(8);
    assertThat(r.available()).isEqualTo(1);
  }
}
