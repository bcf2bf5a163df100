package dev.progcache.disk;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Sha256Test {
  @Test
  void nativeEngine_loadsWhereLibcryptoIs() {
    // every machine this project builds on (Debian, with libssl3) has libcrypto
    assertThat(Sha256.awaitNative(20_000)).as("libcrypto's sha256 through FFM").isTrue();
  }

  @Test
  void digests_matchTheJdk_forRandomChunkings() throws Exception {
    Sha256.awaitNative(20_000);
    Random rnd = new Random(7);
    for (int round = 0; round < 300; round++) {
      byte[] data = new byte[rnd.nextInt(0, 300_000)];
      rnd.nextBytes(data);
      MessageDigest jdk = MessageDigest.getInstance("SHA-256");
      Sha256.Hasher h = Sha256.newHasher();
      int at = 0;
      while (at < data.length) {
        int n = Math.min(data.length - at, rnd.nextInt(0, 70_000));
        h.update(data, at, n);
        jdk.update(data, at, n);
        at += n;
      }
      assertThat(h.digest()).as("round %d, %d bytes", round, data.length).isEqualTo(jdk.digest());
    }
  }

  @Test
  void emptyInput_isTheWellKnownDigest() {
    assertThat(java.util.HexFormat.of().formatHex(Sha256.newHasher().digest()))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }
}
