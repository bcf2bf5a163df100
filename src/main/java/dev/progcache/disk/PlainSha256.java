package dev.progcache.disk;

/**
 * SHA-256 (FIPS 180-4) of a short byte array, in plain Java, for the start of a session: the first
 * {@code MessageDigest.getInstance} in a new JVM sets up the security providers, which cost a fresh
 * runner 32-43 ms of interpreted code before it could name its build context and ask for its
 * manifest. Meant for inputs of a few KiB at most (it is not fast); bodies go through {@link
 * Sha256}. Stateless; thread-safe.
 */
public final class PlainSha256 {
  private static final int[] K = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  };

  /** The initial hash value, H(0). */
  static final int[] H0 = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
  };

  private PlainSha256() {}

  /** The 32-byte digest of {@code data}. */
  public static byte[] digest(byte[] data) {
    byte[] msg = new byte[data.length + padding(data.length)];
    System.arraycopy(data, 0, msg, 0, data.length);
    writePadding(data.length, msg, data.length);
    int[] h = H0.clone();
    int[] w = new int[64];
    for (int at = 0; at < msg.length; at += 64) {
      compress(h, w, msg, at);
    }
    byte[] out = new byte[32];
    for (int i = 0; i < 8; i++) {
      putInt(out, 4 * i, h[i]);
    }
    return out;
  }

  /** Bytes of padding after a message of {@code length} bytes: 0x80, zeros, the 8-byte length. */
  static int padding(long length) {
    return (int) (64 - (length + 8) % 64) + 8;
  }

  /** Writes the padding of a {@code length}-byte message into {@code out} at {@code at}. */
  static void writePadding(long length, byte[] out, int at) {
    int n = padding(length);
    out[at] = (byte) 0x80;
    java.util.Arrays.fill(out, at + 1, at + n - 8, (byte) 0);
    long bits = length << 3;
    for (int i = 0; i < 8; i++) {
      out[at + n - 8 + i] = (byte) (bits >>> (56 - 8 * i));
    }
  }

  /** {@code v} as 4 big-endian bytes at {@code b[at]}. */
  static void putInt(byte[] b, int at, int v) {
    b[at] = (byte) (v >>> 24);
    b[at + 1] = (byte) (v >>> 16);
    b[at + 2] = (byte) (v >>> 8);
    b[at + 3] = (byte) v;
  }

  private static void compress(int[] h, int[] w, byte[] m, int at) {
    for (int t = 0; t < 16; t++) {
      int i = at + 4 * t;
      w[t] = (m[i] & 0xff) << 24 | (m[i + 1] & 0xff) << 16 | (m[i + 2] & 0xff) << 8;
      w[t] |= m[i + 3] & 0xff;
    }
    for (int t = 16; t < 64; t++) {
      int x = w[t - 15];
      int y = w[t - 2];
      int s0 = Integer.rotateRight(x, 7) ^ Integer.rotateRight(x, 18) ^ (x >>> 3);
      int s1 = Integer.rotateRight(y, 17) ^ Integer.rotateRight(y, 19) ^ (y >>> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    int a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int t = 0; t < 64; t++) {
      int sigma1 = Integer.rotateRight(e, 6) ^ Integer.rotateRight(e, 11);
      sigma1 ^= Integer.rotateRight(e, 25);
      int t1 = k + sigma1 + ((e & f) ^ (~e & g)) + K[t] + w[t];
      int t2 =
          (Integer.rotateRight(a, 2) ^ Integer.rotateRight(a, 13) ^ Integer.rotateRight(a, 22))
              + ((a & b) ^ (a & c) ^ (b & c));
      k = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += k;
  }
}
