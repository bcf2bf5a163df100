package dev.progcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.cache.Entry;
import dev.progcache.cache.Key;
import dev.progcache.testing.Dist;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** ProgClient against the real progcache helper (the built launcher). */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProgClientIT {
  @TempDir Path dir;
  private ProgClient client;

  @BeforeEach
  void start() throws IOException {
    client = start(dir);
  }

  @AfterEach
  void stop() throws IOException {
    client.close();
  }

  private ProgClient start(Path cacheDir) throws IOException {
    return ProgClient.builder("'" + Dist.launcher() + "' --dir '" + cacheDir.resolve("cache") + "'")
        .stderr(Redirect.appendTo(cacheDir.resolve("stderr.log").toFile()))
        .handshakeTimeout(Duration.ofSeconds(20))
        .requestTimeout(Duration.ofSeconds(20))
        .start();
  }

  static Key key(Random rnd) {
    byte[] b = new byte[32];
    rnd.nextBytes(b);
    return Key.of(b);
  }

  static Key sha256(byte[] b) throws Exception {
    return Key.of(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void start_realHelper_declaresGetPutClose() {
    assertThat(client.knownCommands()).containsExactlyInAnyOrder("get", "put", "close");
    assertThat(client.handshakeTime()).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void get_unknownAction_isPlainMiss() throws IOException {
    GetResult r = client.lookup(key(new Random(1)));
    assertThat(r).isInstanceOf(GetResult.Miss.class);
    assertThat(((GetResult.Miss) r).plain()).isTrue();
    assertThat(client.get(key(new Random(2)))).isEmpty();
  }

  @Test
  void put_thenGet_roundTripsBytesDiskPathAndTime() throws Exception {
    Random rnd = new Random(3);
    for (int size : new int[] {0, 1, 65536, 3 << 20}) {
      byte[] body = new byte[size];
      rnd.nextBytes(body);
      Key action = key(rnd);
      Instant before = Instant.now();
      PutResult put = client.put(action, body);
      assertThat(put.outputId()).isEqualTo(sha256(body));
      assertThat(put.size()).isEqualTo(size);
      assertThat(put.stored()).isTrue();
      Path putPath = client.outputFile(put.outputId()).orElseThrow();
      assertThat(Files.readAllBytes(putPath)).isEqualTo(body);

      GetResult got = client.lookup(action);
      assertThat(got).isInstanceOf(GetResult.Hit.class);
      GetResult.Hit hit = (GetResult.Hit) got;
      assertThat(hit.entry().outputId()).isEqualTo(put.outputId());
      assertThat(hit.entry().size()).isEqualTo(size);
      assertThat(hit.diskPath()).isAbsolute();
      assertThat(Files.readAllBytes(hit.diskPath())).isEqualTo(body);
      long beforeNanos = before.getEpochSecond() * 1_000_000_000L + before.getNano();
      assertThat(hit.entry().timeNanos())
          .isBetween(beforeNanos - 1_000_000_000L, beforeNanos + 10_000_000_000L);
    }
  }

  @Test
  void put_fromFile_sendsFileContents() throws Exception {
    byte[] body = "hello from a file\n".getBytes();
    Path f = dir.resolve("body.txt");
    Files.write(f, body);
    Key action = key(new Random(4));
    PutResult put = client.put(action, f);
    assertThat(put.outputId()).isEqualTo(sha256(body));
    assertThat(client.get(action).map(Entry::outputId)).contains(put.outputId());
  }

  @Test
  void put_bodyShorterOnSecondRead_failsNamingIdsAndSessionSurvives() throws Exception {
    Key action = key(new Random(5));
    byte[] body = new byte[100_000];
    ShrinkingChannel ch = new ShrinkingChannel(body, 60_000);
    assertThatThrownBy(() -> client.put(action, ch))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("short write")
        .hasMessageContaining(action.hex())
        .hasMessageContaining(sha256(body).hex());
    // the stream stayed valid: the helper rejected the short body and still answers
    assertThat(client.get(action)).isEmpty();
    PutResult ok = client.put(action, new byte[] {1, 2, 3});
    assertThat(client.get(action).map(Entry::outputId)).contains(ok.outputId());
  }

  @Test
  void getAndPut_manyThreadsAtOnce_allAnsweredCorrectly() throws Exception {
    int n = 400;
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Optional<String>>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int seed = i;
        results.add(pool.submit(() -> roundTrip(seed)));
      }
      for (Future<Optional<String>> f : results) {
        assertThat(f.get()).isEmpty();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Put then get one random body; returns what went wrong, if anything. */
  private Optional<String> roundTrip(int seed) throws Exception {
    Random rnd = new Random(seed);
    byte[] body = new byte[rnd.nextInt(5000)];
    rnd.nextBytes(body);
    Key action = key(rnd);
    if (client.get(action).isPresent()) {
      return Optional.of("hit before put " + seed);
    }
    PutResult put = client.put(action, body);
    Optional<Entry> e = client.get(action);
    if (e.isEmpty() || !e.get().outputId().equals(put.outputId())) {
      return Optional.of("bad get after put " + seed + ": " + e);
    }
    return Optional.empty();
  }

  @Test
  void close_realHelper_answersAndExitsByItself() throws IOException {
    client.get(key(new Random(6)));
    client.close();
    assertThat(client.killed()).isFalse();
    assertThat(client.exitStatus()).hasValue(0);
    assertThatThrownBy(() -> client.get(key(new Random(7))))
        .isInstanceOf(HelperFailedException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void outputFile_survivesHelperExit_andNextSessionHits() throws Exception {
    byte[] body = "kept".getBytes();
    Key action = key(new Random(8));
    PutResult put = client.put(action, body);
    Path p = client.outputFile(put.outputId()).orElseThrow();
    client.close();
    assertThat(Files.readAllBytes(p)).isEqualTo(body);
    try (ProgClient again = start(dir)) {
      assertThat(again.get(action).map(Entry::outputId)).contains(put.outputId());
      assertThat(again.outputFile(put.outputId())).contains(p);
    }
  }

  /** A channel that yields {@code body} when hashed and only {@code later} bytes after a seek. */
  static final class ShrinkingChannel implements SeekableByteChannel {
    private final byte[] body;
    private final int later;
    private int pos;
    private int limit;
    private int seeks;

    ShrinkingChannel(byte[] body, int later) {
      this.body = body;
      this.later = later;
      this.limit = body.length;
    }

    @Override
    public int read(ByteBuffer dst) {
      if (pos >= limit) {
        return -1;
      }
      int n = Math.min(dst.remaining(), limit - pos);
      dst.put(body, pos, n);
      pos += n;
      return n;
    }

    @Override
    public SeekableByteChannel position(long p) {
      if (++seeks > 1) {
        limit = later;
      }
      pos = (int) p;
      return this;
    }

    @Override
    public long position() {
      return pos;
    }

    @Override
    public int write(ByteBuffer src) {
      throw new UnsupportedOperationException();
    }

    @Override
    public long size() {
      return limit;
    }

    @Override
    public SeekableByteChannel truncate(long size) {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
