package dev.progcache.disk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PlainSha256Test {
  @Test
  void knownVectors() {
    assertThat(hex(""))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(hex("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
        .isEqualTo("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  }

  @Test
  void everyLengthUpTo600_andRandomLonger_matchTheJdk() throws Exception {
    Random rnd = new Random(5);
    for (int len = 0; len <= 600; len++) {
      check(rnd, len);
    }
    for (int i = 0; i < 50; i++) {
      check(rnd, rnd.nextInt(600, 20_000));
    }
  }

  private static void check(Random rnd, int len) throws Exception {
    byte[] data = new byte[len];
    rnd.nextBytes(data);
    assertThat(PlainSha256.digest(data))
        .as("%d bytes", len)
        .isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
  }

  private static String hex(String s) {
    return HexFormat.of().formatHex(PlainSha256.digest(s.getBytes(StandardCharsets.US_ASCII)));
  }
}
