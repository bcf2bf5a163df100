package dev.progcache.testing;

import static dev.progcache.testing.Hashes.key;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.BodySource;
import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every cache tier promises, whatever stands behind it: a miss is a value, what was put comes
 * back byte for byte, concurrent puts of one id leave one good entry, and a body that disagrees
 * with its id never comes back as a hit. A tier's test extends this class and says how to open the
 * tier ({@link #open}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TierContract {
  /** A hit as the contract sees it: the output id the tier gave and the bytes. */
  public record Got(Key output, byte[] body) {}

  /** A tier as the contract sees it: bytes in, bytes out. */
  public interface Subject extends AutoCloseable {
    /** {@code action}'s hit, or empty for a miss; throws only for a failure. */
    Optional<Got> get(Key action) throws Exception;

    /**
     * Stores {@code body} (declared as {@code size} bytes with id {@code output}) for {@code
     * action}.
     */
    void put(Key action, Key output, long size, byte[] body) throws Exception;

    /**
     * Stores {@code body} for {@code action} where the tier reads it (for a read-only tier, beneath
     * it).
     */
    default void seed(Key action, byte[] body) throws Exception {
      put(action, key(body), body.length, body);
    }

    /** Whether a put through this tier is stored (false for a read-only tier). */
    default boolean storesPuts() {
      return true;
    }

    @Override
    void close() throws IOException;
  }

  /** {@code body} as a {@link BodySource}, for tiers that take one. */
  protected static BodySource source(byte[] body) {
    return out -> {
      out.write(body);
      return body.length;
    };
  }

  /** {@code hit}'s output id and bytes. */
  protected static Optional<Got> read(Optional<Hit> hit) throws IOException {
    return hit.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Got(hit.get().entry().outputId(), Files.readAllBytes(hit.get().diskPath())));
  }

  @TempDir protected Path tmp;

  /** A directory for what the tests of one class share; removed after the last of them. */
  @TempDir static Path classTmp;

  private static final Map<String, AutoCloseable> SHARED = new LinkedHashMap<>();

  /** Opens something the tests of a class share, in its own directory under {@link #classTmp}. */
  @FunctionalInterface
  public interface Opener<T extends AutoCloseable> {
    T open(Path dir) throws Exception;
  }

  /**
   * The {@code name}d resource of the running test class (a server on loopback), opened by the
   * first test that asks and closed after the last, so each test pays no server start.
   */
  @SuppressWarnings("unchecked")
  public static <T extends AutoCloseable> T shared(String name, Opener<T> opener) throws Exception {
    synchronized (SHARED) {
      AutoCloseable c = SHARED.get(name);
      if (c == null) {
        c = opener.open(java.nio.file.Files.createDirectories(classTmp.resolve(name)));
        SHARED.put(name, c);
      }
      return (T) c;
    }
  }

  @AfterAll
  static void closeShared() throws Exception {
    synchronized (SHARED) {
      for (AutoCloseable c : SHARED.values()) {
        c.close();
      }
      SHARED.clear();
    }
  }

  private Subject tier;
  private final Random rnd = new Random(29);

  /** Opens a fresh, empty tier, its files under {@code dir}. */
  protected abstract Subject open(Path dir) throws Exception;

  @BeforeEach
  void openTier() throws Exception {
    tier = open(tmp);
  }

  @AfterEach
  void closeTier() throws Exception {
    if (tier != null) {
      tier.close();
    }
  }

  private byte[] body(int n) {
    byte[] b = new byte[n];
    rnd.nextBytes(b);
    return b;
  }

  private Key someAction() {
    return key(body(16));
  }

  @Test
  void get_ofUnknownAction_isEmpty_notAnError() throws Exception {
    assertThat(tier.get(someAction())).isEmpty();
  }

  @Test
  void put_thenGet_returnsTheSameBytes_orNothingWhenTheTierDoesNotStore() throws Exception {
    for (byte[] b : new byte[][] {new byte[0], body(100), body(300_000)}) {
      Key a = someAction();
      tier.put(a, key(b), b.length, b);
      Optional<byte[]> got = tier.get(a).map(Got::body);
      if (tier.storesPuts()) {
        assertThat(got)
            .as("a put of %d bytes", b.length)
            .hasValueSatisfying(v -> assertThat(v).isEqualTo(b));
      } else {
        assertThat(got).as("a put through a tier that does not store").isEmpty();
      }
    }
  }

  @Test
  void seeded_isReadBack_byteForByte() throws Exception {
    byte[] b = "seeded body\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
    Key a = someAction();
    tier.seed(a, b);
    assertThat(tier.get(a).map(Got::body)).hasValueSatisfying(v -> assertThat(v).isEqualTo(b));
  }

  @Test
  void concurrentPutsOfOneId_allSucceed_andLeaveOneGoodEntry() throws Exception {
    byte[] b = body(64 << 10);
    Key a = someAction();
    List<Future<?>> done = new ArrayList<>();
    try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 8; i++) {
        done.add(
            ex.submit(
                () -> {
                  tier.put(a, key(b), b.length, b);
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    }
    if (tier.storesPuts()) {
      assertThat(tier.get(a).map(Got::body)).hasValueSatisfying(v -> assertThat(v).isEqualTo(b));
    }
  }

  @Test
  void hit_alwaysHashesToItsOutputId_evenAfterBadPuts() throws Exception {
    byte[] b = body(1000);
    Key wrongSha = someAction();
    Key shortSize = someAction();
    putRefusedOrNot(wrongSha, key(body(1000)), b.length, b);
    putRefusedOrNot(shortSize, key(b), b.length + 10, b);
    for (Key a : List.of(wrongSha, shortSize)) {
      Optional<Got> got;
      try {
        got = tier.get(a);
      } catch (Exception e) {
        continue; // refused on the way out: also never a bad hit
      }
      got.ifPresent(
          g ->
              assertThat(key(g.body()))
                  .as("a hit's bytes hash to the output id it is given with")
                  .isEqualTo(g.output()));
    }
  }

  private void putRefusedOrNot(Key a, Key output, long size, byte[] body) {
    try {
      tier.put(a, output, size, body);
    } catch (Exception refused) {
      // refusing at put is what most tiers do; the get below checks the rest
    }
  }
}
