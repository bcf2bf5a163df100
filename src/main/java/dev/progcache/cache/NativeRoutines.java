package dev.progcache.cache;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The native routines a helper calls through the FFM API where the one-shot's C1 code is several
 * times slower: libcrypto's {@code SHA256_Update} (put bodies and remote hits hashed) and {@code
 * EVP_DecodeBlock} with libc's {@code memchr} (put bodies decoded from base64: libcrypto takes '='
 * anywhere as a zero, memchr finds one first).
 *
 * <p>All are linked on one background thread the first time either is asked for, or earlier through
 * {@link #preload}: linking a downcall spins classes and method handles (tens of ms of CPU, which a
 * session that never hashes nor reads a body should not pay). Until they are linked, and wherever
 * libcrypto or native access is missing, {@link #linked} is null and callers use their Java code.
 * Callers check a routine's answer against their own before they rely on it ({@link Checked}).
 *
 * <p>Thread-safe.
 */
public final class NativeRoutines {
  /**
   * The linked downcalls, all critical (no safepoint during the call, so heap arrays may be passed
   * directly).
   *
   * @param sha256Update {@code int SHA256_Update(SHA256_CTX *c, const void *data, size_t len)}
   * @param decodeBlock {@code int EVP_DecodeBlock(unsigned char *t, const unsigned char *f, int n)}
   * @param memchr {@code void *memchr(const void *s, int c, size_t n)}
   */
  public record Linked(MethodHandle sha256Update, MethodHandle decodeBlock, MethodHandle memchr) {}

  /**
   * The linked routines for one caller, once its check of them passed: checked once, the first time
   * they are asked for after linking; null before that, and for good when the check failed or threw
   * (an unexpected ABI). Thread-safe.
   */
  public static final class Checked {
    private final Predicate<Linked> check;
    private volatile @Nullable Linked usable;
    private volatile boolean checked;

    /** {@code check}: whether the routines give the caller's own answers on known input. */
    public Checked(Predicate<Linked> check) {
      this.check = check;
    }

    /** The checked routines, or null (starting the load in the background if not started yet). */
    public @Nullable Linked get() {
      Linked u = usable;
      if (u != null || checked) {
        return u;
      }
      Linked l = linked();
      return l == null ? null : check(l);
    }

    /** As {@link #get}, after waiting up to {@code millis} for the routines to be linked. */
    public @Nullable Linked await(long millis) {
      Linked l = NativeRoutines.await(millis);
      return l == null ? null : check(l);
    }

    private synchronized @Nullable Linked check(Linked l) {
      if (!checked) {
        try {
          if (check.test(l)) {
            usable = l;
          }
        } catch (RuntimeException e) {
          // an unexpected ABI: the caller's Java code stays
        }
        checked = true;
      }
      return usable;
    }
  }

  private static final String[] LIBRARIES = {"libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so"};
  private static final AtomicBoolean STARTED = new AtomicBoolean();
  private static final CountDownLatch LOADED = new CountDownLatch(1);
  private static volatile @Nullable Linked linked;

  private NativeRoutines() {}

  /** The linked routines, or null (starting the load in the background if not started yet). */
  public static @Nullable Linked linked() {
    Linked l = linked;
    if (l == null) {
      startLoading();
    }
    return l;
  }

  /** Starts linking in the background, if not started yet, and returns at once. */
  public static void preload() {
    startLoading();
  }

  /** Starts linking, if not started yet, and waits up to {@code millis} for it. */
  public static @Nullable Linked await(long millis) {
    startLoading();
    try {
      LOADED.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return linked;
  }

  private static void startLoading() {
    if (STARTED.compareAndSet(false, true)) {
      Thread.ofPlatform().daemon().name("progcache-native-load").start(NativeRoutines::load);
    }
  }

  private static void load() {
    try {
      linked = link();
    } catch (Throwable t) {
      // no libcrypto, no native access, or an unexpected ABI: the Java code stays
    } finally {
      LOADED.countDown();
    }
  }

  @SuppressWarnings("restricted") // the launcher grants native access (--enable-native-access)
  private static @Nullable Linked link() {
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
    ValueLayout ptr = ValueLayout.ADDRESS;
    ValueLayout i32 = ValueLayout.JAVA_INT;
    ValueLayout i64 = ValueLayout.JAVA_LONG;
    MethodHandle update = critical(lib, "SHA256_Update", FunctionDescriptor.of(i32, ptr, ptr, i64));
    MethodHandle decode =
        critical(lib, "EVP_DecodeBlock", FunctionDescriptor.of(i32, ptr, ptr, i32));
    MethodHandle memchr =
        critical(linker.defaultLookup(), "memchr", FunctionDescriptor.of(ptr, ptr, i32, i64));
    return new Linked(update, decode, memchr);
  }

  /** A critical downcall to {@code name} of {@code lib}. */
  @SuppressWarnings("restricted") // the launcher grants native access (--enable-native-access)
  private static MethodHandle critical(SymbolLookup lib, String name, FunctionDescriptor d) {
    return Linker.nativeLinker()
        .downcallHandle(lib.find(name).orElseThrow(), d, Linker.Option.critical(true));
  }

  /**
   * Decodes {@code len} characters of standard base64 at {@code in[inOff]} into {@code
   * out[outOff]}, returning the bytes written, or -1 unless every character was one of the 64: no
   * padding (an '=' found by memchr first), no white space (libcrypto skips it at either end, which
   * makes its count fall short), nothing else (libcrypto fails). {@code len} must be a multiple of
   * 4 and {@code out} must have room for {@code len / 4 * 3} bytes.
   */
  public static int decodeBase64(Linked l, byte[] out, int outOff, byte[] in, int inOff, int len) {
    int want = len / 4 * 3;
    MemorySegment to = MemorySegment.ofArray(out).asSlice(outOff, want); // checks the ranges
    MemorySegment from = MemorySegment.ofArray(in).asSlice(inOff, len);
    int got;
    try {
      if (((MemorySegment) l.memchr().invokeExact(from, (int) '=', (long) len)).address() != 0) {
        return -1;
      }
      got = (int) l.decodeBlock().invokeExact(to, from, len);
    } catch (Throwable t) {
      throw t instanceof RuntimeException r
          ? r
          : new IllegalStateException("a native base64 decoding failed", t);
    }
    return got == want ? got : -1;
  }
}
