package dev.progcache.disk;

import dev.progcache.cache.NativeRoutines;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * sha256 for puts, remote hits and {@code verify}: the same digests from one of two engines.
 *
 * <p>The one-shot helper runs with C1 only, where the JDK's SHA-256 has no intrinsic and hashes at
 * about 50 MB/s; libcrypto's, called through the FFM API, hashes at over 1 GB/s. The native engine
 * is linked by {@link NativeRoutines} on a background thread the first time a hasher is asked for,
 * or earlier through {@link #preload}; until it is ready, and wherever libcrypto or native access
 * is missing or {@code -Dprogcache.sha256=jdk} is set, hashers are the JDK's. The native engine is
 * used only after it reproduced the digest {@link PlainSha256} gives.
 *
 * <p>Thread-safe; a {@link Hasher} is not.
 */
public final class Sha256 {
  /** An incremental sha256. */
  public interface Hasher {
    void update(byte[] b, int off, int len);

    /** The digest of everything given so far; the hasher is spent. */
    byte[] digest();
  }

  /** The native engine once it reproduced {@link PlainSha256}'s digest. */
  private static final NativeRoutines.Checked ENGINE =
      new NativeRoutines.Checked(l -> selfTestPasses(l.sha256Update()));

  private static final boolean JDK_ONLY = "jdk".equals(System.getProperty("progcache.sha256"));

  private Sha256() {}

  /** A new hasher: native when that engine is ready, else the JDK's. */
  public static Hasher newHasher() {
    NativeRoutines.Linked n = JDK_ONLY ? null : ENGINE.get();
    return n != null ? new NativeHasher(n.sha256Update()) : new JdkHasher();
  }

  /**
   * Starts loading the native engine in the background, if not started yet, and returns at once:
   * for a session that will hash a lot from its start (a fresh directory filled from a shared
   * tier), so that the engine is ready before the first bodies come rather than after.
   */
  public static void preload() {
    if (!JDK_ONLY) {
      NativeRoutines.preload();
    }
  }

  /**
   * Starts loading the native engine, if not started yet, and waits up to {@code millis} for it.
   * Returns whether it is in use. For tests and for long hashing jobs ({@code verify}).
   */
  public static boolean awaitNative(long millis) {
    if (JDK_ONLY) {
      return false;
    }
    return ENGINE.await(millis) != null;
  }

  /** The native engine's digest of a known text equals the plain Java one's (no JDK providers). */
  private static boolean selfTestPasses(MethodHandle n) {
    byte[] data = "progcache sha256 self-test".repeat(11).getBytes(StandardCharsets.US_ASCII);
    Hasher nat = new NativeHasher(n);
    nat.update(data, 3, data.length - 3);
    byte[] want = PlainSha256.digest(Arrays.copyOfRange(data, 3, data.length));
    return Arrays.equals(nat.digest(), want);
  }

  /**
   * A SHA256_CTX on the Java heap: {@code h[8], Nl, Nh, data[16], num, md_len}, 28 unsigned ints in
   * the machine's byte order (OpenSSL's public struct: plain data, no pointers). Initialized as
   * SHA256_Init does; finished by feeding FIPS 180-4's padding through SHA256_Update, after which
   * {@code h} is the digest.
   */
  private static final class NativeHasher implements Hasher {
    private static final int MD_LEN = 27;

    private final int[] ctx = new int[28];
    private final MethodHandle update;
    private long length;

    NativeHasher(MethodHandle update) {
      this.update = update;
      System.arraycopy(PlainSha256.H0, 0, ctx, 0, PlainSha256.H0.length);
      ctx[MD_LEN] = 32;
    }

    @Override
    public void update(byte[] b, int off, int len) {
      if (len == 0) {
        return;
      }
      call(MemorySegment.ofArray(b).asSlice(off, len), len); // asSlice checks the range
      length += len;
    }

    @Override
    public byte[] digest() {
      byte[] pad = new byte[PlainSha256.padding(length)];
      PlainSha256.writePadding(length, pad, 0);
      call(MemorySegment.ofArray(pad), pad.length);
      byte[] out = new byte[32];
      for (int i = 0; i < 8; i++) {
        PlainSha256.putInt(out, 4 * i, ctx[i]);
      }
      return out;
    }

    private void call(MemorySegment data, long len) {
      int ok;
      try {
        ok = (int) update.invokeExact(MemorySegment.ofArray(ctx), data, len);
      } catch (Throwable t) {
        throw t instanceof RuntimeException r
            ? r
            : new IllegalStateException("libcrypto's SHA256_Update failed", t);
      }
      if (ok != 1) {
        throw new IllegalStateException("libcrypto's SHA256_Update returned " + ok);
      }
    }
  }

  private static final class JdkHasher implements Hasher {
    private final MessageDigest md;

    JdkHasher() {
      try {
        md = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("the JDK has no SHA-256", e);
      }
    }

    @Override
    public void update(byte[] b, int off, int len) {
      md.update(b, off, len);
    }

    @Override
    public byte[] digest() {
      return md.digest();
    }
  }
}
