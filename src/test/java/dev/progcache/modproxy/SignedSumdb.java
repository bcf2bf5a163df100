package dev.progcache.modproxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.progcache.testing.Threads;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A go checksum database on loopback, signed with a fresh Ed25519 key: an append-only log of
 * records (a module version's go.sum lines) hashed as a transparency log (leaf {@code SHA-256(0x00
 * || record)}, node {@code SHA-256(0x01 || left || right)}), served at its root as go asks a
 * database: {@code /latest} (the signed tree note), {@code /lookup/<module>@<version>} (the
 * record's id, its lines, a blank line, the signed tree note), {@code /tile/<H>/<L>/<N>[.p/<W>]}
 * (hashes) and {@code /tile/<H>/data/<N>[.p/<W>]} (records). Records are added by the test before
 * go asks; the database never adds one on lookup. Logs every request path.
 *
 * <p>Thread-safe.
 */
final class SignedSumdb implements AutoCloseable {
  private static final Pattern TILE =
      Pattern.compile("/tile/([0-9]+)/([0-9]+|data)/((?:x[0-9]{3}/)*[0-9]{3})(?:\\.p/([0-9]+))?");

  private final String name;
  private final KeyPair key;

  /** The public key as go writes it: its algorithm number (1, Ed25519) and the 32 key bytes. */
  private final byte[] pub = new byte[33];

  private final HttpServer server;
  private final ReentrantLock lock = new ReentrantLock();
  private final List<byte[]> records = new ArrayList<>();
  private final List<byte[]> leaves = new ArrayList<>();
  private final Map<String, Integer> ids = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();

  private SignedSumdb(String name, KeyPair key, HttpServer server) {
    this.name = name;
    this.key = key;
    this.server = server;
    byte[] x509 = key.getPublic().getEncoded();
    pub[0] = 1;
    System.arraycopy(x509, x509.length - 32, pub, 1, 32);
  }

  /** A database named {@code name} (go's {@code GOSUMDB} name) on a free loopback port. */
  static SignedSumdb start(String name) throws IOException, GeneralSecurityException {
    HttpServer s =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    SignedSumdb db =
        new SignedSumdb(name, KeyPairGenerator.getInstance("Ed25519").generateKeyPair(), s);
    s.createContext("/", db::handle);
    s.setExecutor(Threads.VIRTUAL::execute);
    s.start();
    return db;
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  /** The verifier key go takes as {@code GOSUMDB}: {@code name+<key hash>+<base64 key>}. */
  String verifierKey() {
    return name + "+" + HexFormat.of().toHexDigits(keyHash()) + "+" + b64(pub);
  }

  /**
   * Appends the record of {@code path@version}: its zip's and go.mod's hashes as go computes them
   * ({@code h1:}), from the module files {@code zip} and {@code mod}.
   */
  void add(String path, String version, byte[] zip, byte[] mod) throws IOException {
    add(path, version, GoSum.zipHash(zip), GoSum.modHash(mod));
  }

  /** Appends the record of {@code path@version} with these hashes, whatever the files are. */
  void add(String path, String version, String zipHash, String modHash) {
    String text =
        path
            + " "
            + version
            + " "
            + zipHash
            + "\n"
            + path
            + " "
            + version
            + "/go.mod "
            + modHash
            + "\n";
    lock.lock();
    try {
      byte[] data = text.getBytes(StandardCharsets.UTF_8);
      ids.put(path + "@" + version, records.size());
      records.add(data);
      leaves.add(hash((byte) 0, data));
    } finally {
      lock.unlock();
    }
  }

  /** The request paths received, in order. */
  List<String> requests() {
    return requests;
  }

  /** The signed note of the tree as it is now. */
  byte[] latest() {
    lock.lock();
    try {
      String text =
          "go.sum database tree\n" + leaves.size() + "\n" + b64(treeHash(0, leaves.size())) + "\n";
      return sign(text).getBytes(StandardCharsets.UTF_8);
    } finally {
      lock.unlock();
    }
  }

  private String sign(String text) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key.getPrivate());
      s.update(text.getBytes(StandardCharsets.UTF_8));
      byte[] sig = ByteBuffer.allocate(4 + 64).putInt(keyHash()).put(s.sign()).array();
      return text + "\n\u2014 " + name + " " + b64(sig) + "\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign the tree note with Ed25519", e);
    }
  }

  /** The first four bytes of SHA-256(name, newline, public key), big-endian. */
  private int keyHash() {
    MessageDigest d = sha256();
    d.update((name + "\n").getBytes(StandardCharsets.UTF_8));
    d.update(pub);
    return ByteBuffer.wrap(d.digest()).getInt();
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    requests.add(path);
    try (ex) {
      if (path.equals("/latest")) {
        FakeGoProxy.send(ex, 200, latest());
      } else if (path.startsWith("/lookup/")) {
        lookup(ex, path.substring("/lookup/".length()));
      } else {
        Matcher m = TILE.matcher(path);
        byte[] tile = m.matches() ? tile(m) : null;
        if (tile == null) {
          FakeGoProxy.send(ex, 404, ("not found: " + path + "\n").getBytes(StandardCharsets.UTF_8));
        } else {
          FakeGoProxy.send(ex, 200, tile);
        }
      }
    }
  }

  private void lookup(HttpExchange ex, String escaped) throws IOException {
    int at = escaped.lastIndexOf('@');
    Integer id =
        at < 0
            ? null
            : ids.get(
                unescape(escaped.substring(0, at)) + "@" + unescape(escaped.substring(at + 1)));
    if (id == null) {
      FakeGoProxy.send(
          ex,
          404,
          ("not found: " + escaped + ": not in this database\n").getBytes(StandardCharsets.UTF_8));
      return;
    }
    lock.lock();
    byte[] record;
    try {
      record = records.get(id);
    } finally {
      lock.unlock();
    }
    byte[] head = (id + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] note = latest();
    ByteBuffer b = ByteBuffer.allocate(head.length + record.length + 1 + note.length);
    b.put(head).put(record).put((byte) '\n').put(note);
    FakeGoProxy.send(ex, 200, b.array());
  }

  /**
   * Tile {@code H/L/N[.p/W]}: the W hashes at tree level L*H from number N*2^H on, each the hash of
   * a complete subtree; or, for {@code data}, those records. Null when the tree does not hold them
   * yet.
   */
  private byte[] tile(Matcher m) {
    int h = Integer.parseInt(m.group(1));
    long n = Long.parseLong(m.group(3).replace("x", "").replace("/", ""));
    int w = m.group(4) == null ? 1 << h : Integer.parseInt(m.group(4));
    if (h < 1 || h > 30 || w < 1 || w > 1 << h) {
      return null;
    }
    lock.lock();
    try {
      if (m.group(2).equals("data")) {
        if ((n << h) + w > records.size()) {
          return null;
        }
        ByteBuffer b = ByteBuffer.allocate(1 << 20);
        for (int i = 0; i < w; i++) {
          b.put(records.get((int) ((n << h) + i))).put((byte) '\n');
        }
        return Arrays.copyOf(b.array(), b.position());
      }
      int level = Integer.parseInt(m.group(2)) * h;
      long first = n << h;
      if (level > 62 || (first + w) << level > leaves.size()) {
        return null;
      }
      ByteBuffer b = ByteBuffer.allocate(w * 32);
      for (int i = 0; i < w; i++) {
        long lo = (first + i) << level;
        b.put(treeHash((int) lo, (int) (lo + (1L << level))));
      }
      return b.array();
    } finally {
      lock.unlock();
    }
  }

  /** The hash of the leaves [lo, hi), split as RFC 6962 does: the largest power of two first. */
  private byte[] treeHash(int lo, int hi) {
    if (hi == lo) {
      return sha256().digest();
    }
    if (hi - lo == 1) {
      return leaves.get(lo);
    }
    int k = Integer.highestOneBit(hi - lo - 1);
    return hash((byte) 1, treeHash(lo, lo + k), treeHash(lo + k, hi));
  }

  private static byte[] hash(byte prefix, byte[]... parts) {
    MessageDigest d = sha256();
    d.update(prefix);
    for (byte[] p : parts) {
      d.update(p);
    }
    return d.digest();
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  /** go's case-decoding: {@code !x} is {@code X}. */
  private static String unescape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '!' && i + 1 < s.length()) {
        b.append(Character.toUpperCase(s.charAt(++i)));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
