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
  void everyLengthAroundThePaddingBoundaries_matchesTheJdk() throws Exception {
    assertThat(Sha256.awaitNative(20_000)).isTrue();
    Random rnd = new Random(11);
    for (int len = 0; len <= 260; len++) {
      byte[] data = new byte[len];
      rnd.nextBytes(data);
      Sha256.Hasher whole = Sha256.newHasher();
      whole.update(data, 0, len);
      Sha256.Hasher bytes = Sha256.newHasher();
      for (int i = 0; i < len; i++) {
        bytes.update(data, i, 1);
      }
      byte[] want = MessageDigest.getInstance("SHA-256").digest(data);
      assertThat(whole.digest()).as("%d bytes at once", len).isEqualTo(want);
      assertThat(bytes.digest()).as("%d bytes one by one", len).isEqualTo(want);
    }
  }

  @Test
  void update_refusesARangeOutsideTheArray() {
    assertThat(Sha256.awaitNative(20_000)).isTrue();
    Sha256.Hasher h = Sha256.newHasher();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> h.update(new byte[10], 5, 6))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void emptyInput_isTheWellKnownDigest() {
    assertThat(java.util.HexFormat.of().formatHex(Sha256.newHasher().digest()))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }
}
