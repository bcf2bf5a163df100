package dev.progcache.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deliberately misbehaving cache server for reliability tests: a tiny HTTP/1.1 server on a raw
 * socket (loopback only) that stores what it is given and answers according to its current {@link
 * Mode} — errors, hangs, trickles, truncations, wrong bytes, hostile ids, denials, redirects.
 */
public final class FaultServer implements AutoCloseable {
  /** How to answer. */
  public enum Mode {
    NORMAL,
    LEGACY_JSON,
    ERROR_500,
    HANG,
    TRICKLE,
    TRUNCATE,
    WRONG_BYTES,
    HOSTILE_IDS,
    UNAUTHORIZED_401,
    FORBIDDEN_403,
    READ_ONLY_403_ON_PUT,
    THROTTLE_429,
    TOO_LARGE_413,
    FULL_507,
    REDIRECT_ELSEWHERE
  }

  /** A stored entry. */
  public record Stored(String outputHex, byte[] body) {}

  private final ServerSocket socket;
  private final String scheme;
  private final Map<String, Stored> store = new ConcurrentHashMap<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger requests = new AtomicInteger();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private volatile Mode mode = Mode.NORMAL;
  private volatile String redirectTo = "";
  private volatile boolean closed;

  private FaultServer(ServerSocket s, String scheme) {
    this.socket = s;
    this.scheme = scheme;
    Thread.ofPlatform().daemon().name("fault-accept").start(this::accept);
  }

  /** Starts on {@code host} (a loopback address), any free port. */
  public static FaultServer start(String host) throws IOException {
    ServerSocket s = new ServerSocket();
    s.bind(new InetSocketAddress(loopback(host), 0), 200);
    return new FaultServer(s, "http");
  }

  /** As {@link #start}, speaking HTTPS with the key and certificate of {@code tls}. */
  public static FaultServer startTls(String host, javax.net.ssl.SSLContext tls) throws IOException {
    ServerSocket s = tls.getServerSocketFactory().createServerSocket();
    s.bind(new InetSocketAddress(loopback(host), 0), 200);
    return new FaultServer(s, "https");
  }

  private static InetAddress loopback(String host) throws IOException {
    InetAddress a = InetAddress.getByName(host);
    if (!a.isLoopbackAddress()) {
      throw new IllegalArgumentException("tests use loopback only, not " + host);
    }
    return a;
  }

  public URI url() {
    return URI.create(
        scheme + "://" + socket.getInetAddress().getHostAddress() + ":" + socket.getLocalPort());
  }

  public void mode(Mode m) {
    this.mode = m;
  }

  /** Where {@link Mode#REDIRECT_ELSEWHERE} points (a base URL). */
  public void redirectTo(URI base) {
    this.redirectTo = base.toString();
  }

  public Map<String, Stored> store() {
    return store;
  }

  public int requests() {
    return requests.get();
  }

  /** Authorization header values received (to check where tokens went). */
  public List<String> authorizations() {
    return authorizations;
  }

  private void accept() {
    while (!closed) {
      try {
        Socket s = socket.accept();
        open.add(s);
        Thread.ofVirtual().start(() -> serve(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      while (!closed) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        requests.incrementAndGet();
        String[] lines = head.split("\r\n");
        String[] rl = lines[0].split(" ");
        Map<String, String> h = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
          int c = lines[i].indexOf(':');
          if (c > 0) {
            h.put(
                lines[i].substring(0, c).strip().toLowerCase(Locale.ROOT),
                lines[i].substring(c + 1).strip());
          }
        }
        if (h.containsKey("authorization")) {
          authorizations.add(h.get("authorization"));
        }
        byte[] body = in.readNBytes(Integer.parseInt(h.getOrDefault("content-length", "0")));
        if (!answer(rl[0], rl[1], h, body, s, out)) {
          return;
        }
      }
    } catch (IOException | RuntimeException e) {
      // connection gone
    } finally {
      open.remove(s);
    }
  }

  /** Answers one request; false to close the connection. */
  private boolean answer(
      String method, String path, Map<String, String> h, byte[] body, Socket s, OutputStream out)
      throws IOException {
    Mode m = mode;
    String[] p = path.split("/");
    boolean put = method.equals("PUT");
    switch (m) {
      case ERROR_500 -> {
        return respond(out, 500, Map.of(), new byte[0]);
      }
      case UNAUTHORIZED_401 -> {
        return respond(out, 401, Map.of(), new byte[0]);
      }
      case FORBIDDEN_403 -> {
        return respond(out, 403, Map.of(), new byte[0]);
      }
      case THROTTLE_429 -> {
        return respond(out, 429, Map.of("Retry-After", "2"), new byte[0]);
      }
      case HANG -> {
        while (s.getInputStream().read() >= 0) {
          // hold the connection, say nothing
        }
        return false;
      }
      default -> {}
    }
    if (put) {
      if (m == Mode.READ_ONLY_403_ON_PUT) {
        return respond(out, 403, Map.of(), new byte[0]);
      }
      if (m == Mode.TOO_LARGE_413) {
        return respond(out, 413, Map.of(), new byte[0]);
      }
      if (m == Mode.FULL_507) {
        return respond(out, 507, Map.of(), new byte[0]);
      }
      if (p.length == 3) {
        store.put(p[1], new Stored(p[2], body));
      }
      return respond(out, 204, Map.of(), null);
    }
    if (p.length != 3) {
      return respond(out, 404, Map.of(), new byte[0]);
    }
    if (m == Mode.REDIRECT_ELSEWHERE) {
      return respond(out, 307, Map.of("Location", redirectTo + path), new byte[0]);
    }
    Stored st = p[1].equals("output") ? byOutput(p[2]) : store.get(p[2]);
    if (st == null) {
      return respond(out, 404, Map.of(), new byte[0]);
    }
    if (p[1].equals("action") && (m == Mode.LEGACY_JSON || !"1".equals(h.get("want-object")))) {
      String json = "{\"outputID\":\"" + st.outputHex() + "\",\"size\":" + st.body().length + "}";
      return respond(
          out,
          200,
          Map.of("Content-Type", "application/json"),
          json.getBytes(StandardCharsets.UTF_8));
    }
    Map<String, String> hdr = new HashMap<>();
    hdr.put("Content-Type", "application/octet-stream");
    hdr.put("Go-Output-Id", st.outputHex());
    byte[] b = st.body();
    switch (m) {
      case WRONG_BYTES -> {
        b = b.clone();
        if (b.length > 0) {
          b[b.length / 2] ^= 0x5a;
        } else {
          b = new byte[] {1};
        }
      }
      case HOSTILE_IDS -> {
        hdr.put(
            "Go-Output-Id",
            "../../../../../../tmp/progcache-hostile-" + st.outputHex().substring(0, 8));
        hdr.put("X-Junk", "x".repeat(60_000));
      }
      case TRUNCATE -> {
        head(out, 200, hdr, b.length);
        out.write(b, 0, b.length / 2);
        out.flush();
        return false;
      }
      case TRICKLE -> {
        head(out, 200, hdr, b.length);
        for (int i = 0; i < b.length && !closed; i++) {
          out.write(b[i]);
          out.flush();
          try {
            Thread.sleep(1000);
          } catch (InterruptedException e) {
            return false;
          }
        }
        return false;
      }
      default -> {}
    }
    return respond(out, 200, hdr, b);
  }

  private Stored byOutput(String hex) {
    for (Stored s : store.values()) {
      if (s.outputHex().equals(hex)) {
        return s;
      }
    }
    return null;
  }

  private static boolean respond(OutputStream out, int status, Map<String, String> h, byte[] body)
      throws IOException {
    head(out, status, h, body == null ? -1 : body.length);
    if (body != null) {
      out.write(body);
    }
    out.flush();
    return true;
  }

  private static void head(OutputStream out, int status, Map<String, String> h, long length)
      throws IOException {
    StringBuilder b = new StringBuilder("HTTP/1.1 ").append(status).append(" X\r\n");
    h.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
    if (length >= 0) {
      b.append("Content-Length: ").append(length).append("\r\n");
    }
    b.append("\r\n");
    out.write(b.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int c = in.read();
      if (c < 0) {
        return null;
      }
      b.write(c);
      if (b.size() > 1 << 20) {
        throw new IOException("request head too large");
      }
      state =
          (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
              ? state + 1
              : 0;
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    closed = true;
    try {
      socket.close();
    } catch (IOException e) {
      // closing
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException e) {
        // closing
      }
    }
  }
}
