package dev.progcache.daemon;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The first bytes a relay (or control client) sends on a new connection: a kind line, then
 * NUL-terminated {@code key=value} fields ({@code pid}, {@code cwd}, {@code arg}, {@code env},
 * {@code cmd}, {@code direct}), then an empty field. {@code cwd} is the relay's working directory
 * (go's), empty when an older relay did not send it. {@code direct=1}: the relay's stdin and stdout
 * are pipes the daemon may open itself ({@link GoPipes}). Bounded: at most {@link #MAX_BYTES}.
 */
public record Hello(
    String kind,
    long pid,
    String cwd,
    List<String> args,
    Map<String, String> env,
    String cmd,
    boolean direct) {
  static final int MAX_BYTES = 64 * 1024;
  static final String RELAY = "progcache-relay 1";
  static final String CONTROL = "progcache-ctl 1";

  /**
   * Reads a hello.
   *
   * @throws IOException on a malformed, oversized or truncated hello
   */
  public static Hello read(InputStream in) throws IOException {
    List<String> fields = new ArrayList<>();
    ByteArrayOutputStream cur = new ByteArrayOutputStream();
    int total = 0;
    for (; ; ) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed inside the hello");
      }
      if (++total > MAX_BYTES) {
        throw new IOException("hello longer than " + MAX_BYTES + " bytes");
      }
      if (b != 0) {
        cur.write(b);
        continue;
      }
      if (cur.size() == 0) {
        break;
      }
      fields.add(cur.toString(StandardCharsets.UTF_8));
      cur.reset();
    }
    if (fields.isEmpty()) {
      throw new IOException("empty hello");
    }
    String kind = fields.get(0);
    if (!kind.equals(RELAY) && !kind.equals(CONTROL)) {
      throw new IOException("unknown hello kind \"" + kind + "\"");
    }
    long pid = -1;
    List<String> args = new ArrayList<>();
    Map<String, String> env = new HashMap<>();
    String cmd = "";
    String cwd = "";
    boolean direct = false;
    for (String f : fields.subList(1, fields.size())) {
      int eq = f.indexOf('=');
      if (eq < 0) {
        throw new IOException("bad hello field \"" + f + "\"");
      }
      String v = f.substring(eq + 1);
      switch (f.substring(0, eq)) {
        case "pid" -> pid = Long.parseLong(v);
        case "arg" -> args.add(v);
        case "cmd" -> cmd = v;
        case "cwd" -> cwd = v;
        case "direct" -> direct = v.equals("1");
        case "env" -> {
          int e = v.indexOf('=');
          if (e > 0) {
            env.put(v.substring(0, e), v.substring(e + 1));
          }
        }
        default -> {
          // newer relays may add fields
        }
      }
    }
    return new Hello(kind, pid, cwd, List.copyOf(args), Map.copyOf(env), cmd, direct);
  }

  /** Encodes a control hello for {@code cmd}. */
  public static byte[] control(String cmd) {
    return (CONTROL + "\0cmd=" + cmd + "\0\0").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Encodes a relay's hello, as {@code progcache-relay} sends it: {@code pid} is the process whose
   * descriptors 0 and 1 are go's pipes when {@code direct}.
   */
  public static byte[] relay(
      long pid, String cwd, List<String> args, Map<String, String> env, boolean direct) {
    StringBuilder h = new StringBuilder(RELAY).append("\0pid=").append(pid);
    h.append("\0cwd=").append(cwd).append('\0');
    args.forEach(a -> h.append("arg=").append(a).append('\0'));
    env.forEach((k, v) -> h.append("env=").append(k).append('=').append(v).append('\0'));
    h.append("direct=").append(direct ? '1' : '0').append("\0\0");
    return h.toString().getBytes(StandardCharsets.UTF_8);
  }
}
