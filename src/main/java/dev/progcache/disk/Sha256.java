package dev.progcache.disk;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * sha256 for puts, remote hits and {@code verify}: the same digests from one of two engines.
 *
 * <p>The one-shot helper runs with C1 only, where the JDK's SHA-256 has no intrinsic and hashes at
 * about 50 MB/s; libcrypto's, called through the FFM API, hashes at over 1 GB/s. The native engine
 * is loaded on a background thread the first time a hasher is asked for (loading costs ~100 ms of
 * CPU, which a helper that never hashes should not pay); until it is ready, and wherever libcrypto
 * or native access is missing or {@code -Dprogcache.sha256=jdk} is set, hashers are the JDK's. The
 * native engine is used only after it reproduced a known digest.
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

  private static final String[] LIBRARIES = {"libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so"};
  private static final AtomicBoolean STARTED = new AtomicBoolean();
  private static final CountDownLatch LOADED = new CountDownLatch(1);
  private static volatile @Nullable Native engine;

  private Sha256() {}

  /** A new hasher: native when that engine is ready, else the JDK's. */
  public static Hasher newHasher() {
    Native n = engine;
    if (n != null) {
      return new NativeHasher(n);
    }
    startLoading();
    return new JdkHasher();
  }

  /**
   * Starts loading the native engine, if not started yet, and waits up to {@code millis} for it.
   * Returns whether it is in use. For tests and for long hashing jobs ({@code verify}).
   */
  public static boolean awaitNative(long millis) {
    startLoading();
    try {
      LOADED.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return engine != null;
  }

  private static void startLoading() {
    if (STARTED.compareAndSet(false, true)) {
      if ("jdk".equals(System.getProperty("progcache.sha256"))) {
        LOADED.countDown();
        return;
      }
      Thread.ofPlatform().daemon().name("progcache-sha256-load").start(Sha256::load);
    }
  }

  private static void load() {
    try {
      Native n = Native.load();
      if (n != null && selfTestPasses(n)) {
        engine = n;
      }
    } catch (Throwable t) {
      // no libcrypto, no native access, or an unexpected ABI: the JDK's engine stays
    } finally {
      LOADED.countDown();
    }
  }

  private static boolean selfTestPasses(Native n) {
    byte[] data = "progcache sha256 self-test".repeat(11).getBytes(StandardCharsets.US_ASCII);
    Hasher nat = new NativeHasher(n);
    Hasher jdk = new JdkHasher();
    nat.update(data, 3, data.length - 3);
    jdk.update(data, 3, data.length - 3);
    return Arrays.equals(nat.digest(), jdk.digest());
  }

  /** libcrypto's SHA256_Init / SHA256_Update / SHA256_Final, with the context on the Java heap. */
  private static final class Native {
    final MethodHandle init;
    final MethodHandle update;
    final MethodHandle fin;

    private Native(MethodHandle init, MethodHandle update, MethodHandle fin) {
      this.init = init;
      this.update = update;
      this.fin = fin;
    }

    @SuppressWarnings("restricted") // the launcher grants native access (--enable-native-access)
    static @Nullable Native load() {
      SymbolLookup lib = null;
      for (String name : LIBRARIES) {
        try {
          lib = SymbolLookup.libraryLookup(name, Arena.global());
          break;
        } catch (IllegalArgumentException e) {
          // not this one
        }
      }
      if (lib == null) {
        return null;
      }
      Linker linker = Linker.nativeLinker();
      // critical: no safepoint during the call, so heap arrays may be passed directly
      Linker.Option heap = Linker.Option.critical(true);
      MethodHandle init =
          linker.downcallHandle(
              lib.find("SHA256_Init").orElseThrow(),
              FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS),
              heap);
      MethodHandle update =
          linker.downcallHandle(
              lib.find("SHA256_Update").orElseThrow(),
              FunctionDescriptor.of(
                  ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
              heap);
      MethodHandle fin =
          linker.downcallHandle(
              lib.find("SHA256_Final").orElseThrow(),
              FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS),
              heap);
      return new Native(init, update, fin);
    }
  }

  private static final class NativeHasher implements Hasher {
    /** SHA256_CTX: 112 bytes of plain data (no pointers), so it may live in a Java array. */
    private final long[] ctx = new long[16];

    private final Native n;

    NativeHasher(Native n) {
      this.n = n;
      try {
        int ok = (int) n.init.invokeExact(MemorySegment.ofArray(ctx));
        check(ok);
      } catch (Throwable t) {
        throw failed(t);
      }
    }

    @Override
    public void update(byte[] b, int off, int len) {
      if (len == 0) {
        return;
      }
      try {
        int ok =
            (int) n.update.invokeExact(
                MemorySegment.ofArray(ctx), MemorySegment.ofArray(b).asSlice(off, len), (long) len);
        check(ok);
      } catch (Throwable t) {
        throw failed(t);
      }
    }

    @Override
    public byte[] digest() {
      byte[] out = new byte[32];
      try {
        int ok = (int) n.fin.invokeExact(MemorySegment.ofArray(out), MemorySegment.ofArray(ctx));
        check(ok);
      } catch (Throwable t) {
        throw failed(t);
      }
      return out;
    }

    private static void check(int ok) {
      if (ok != 1) {
        throw new IllegalStateException("libcrypto's SHA256 returned " + ok);
      }
    }

    private static RuntimeException failed(Throwable t) {
      return t instanceof RuntimeException r ? r : new IllegalStateException("libcrypto's SHA256 failed", t);
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
