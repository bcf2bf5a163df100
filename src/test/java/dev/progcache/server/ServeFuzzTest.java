package dev.progcache.server;

import static dev.progcache.testing.Hashes.action;
import static dev.progcache.testing.Hashes.sha;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Figures;
import dev.progcache.testing.TextLog;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random HTTP requests against a real {@code serve} (issue 27): methods, paths, headers, declared
 * lengths and bodies, with and without tokens, over raw sockets so that nothing is cleaned up on
 * the way. Bounded in count and time. No request may get a 500 or hang; afterwards every entry a
 * GET returns must hash to the output id it is served as.
 */
@Timeout(120)
class ServeFuzzTest {
  private static final int CASES = 1500;
  private static final Duration BUDGET = Duration.ofSeconds(60);
  private static final String[] METHODS = {
    "GET", "GET", "PUT", "PUT", "PUT", "POST", "HEAD", "DELETE", "OPTIONS", "BREW", "get", ""
  };
  private static final String[] TOKENS = {
    null,
    ServeHoldsTest.WRITER,
    ServeHoldsTest.PR1,
    ServeHoldsTest.PR2,
    ServeHoldsTest.READER99,
    "nope-0123456789abcdef",
    "eyJhbGciOiJSUzI1NiJ9.e30.AAAA",
    ""
  };
  @TempDir Path tmp;
  private CacheServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void s49_fuzzedHttpRequests_neverGet500_neverHang_neverStoreWrongBytes() throws Exception {
    Path tokens =
        Files.write(
            tmp.resolve("tokens"),
            List.of(
                ServeHoldsTest.line(
                    ServeHoldsTest.WRITER, "read,write,metrics", "main", null, "ci"),
                ServeHoldsTest.line(ServeHoldsTest.PR1, "read,write", "pr-1", "main", "pr-1"),
                ServeHoldsTest.line(ServeHoldsTest.PR2, "read,write", "pr-2", "main", "pr-2"),
                ServeHoldsTest.line(ServeHoldsTest.READER99, "read", "pr-99", "main", "pr-99")));
    ServeConfig.Limits l =
        new ServeConfig.Limits(1 << 20, 64 << 10, 64, Duration.ofSeconds(3), 8192, 512);
    server =
        CacheServer.start(
            ServeConfig.onDisk("127.0.0.1", 0, tmp.resolve("store"), tokens, l, false)
                .withTrust(new ServeConfig.Trust(false, false, 256 << 10, 1, null)),
            new TextLog());
    Random rnd = new Random(49);
    Set<String> actions = new LinkedHashSet<>();
    for (int i = 0; i < 8; i++) {
      actions.add(action(i));
    }
    List<String> pool = new ArrayList<>(actions);
    long deadline = System.nanoTime() + BUDGET.toNanos();
    int cases = 0;
    int answered = 0;
    long worstNanos = 0;
    for (; cases < CASES && System.nanoTime() < deadline; cases++) {
      Request r = request(rnd, pool);
      long t0 = System.nanoTime();
      String answer = send(r);
      worstNanos = Math.max(worstNanos, System.nanoTime() - t0);
      assertThat(answer).as("case %d: %s", cases, r.head()).doesNotStartWith("HTTP/1.1 500");
      answered += answer.isEmpty() ? 0 : 1;
      if (answer.startsWith("HTTP/1.1 4") || answer.startsWith("HTTP/1.1 5")) {
        if (answer.contains("id=\"sign-in\"")) {
          // the status page's sign-in form, its one HTML answer to an anonymous visitor
          assertThat(answer)
              .startsWith("HTTP/1.1 401")
              .doesNotContain("java.")
              .doesNotContain("Exception");
        } else {
          ServeHoldsTest.assertPlain(answer); // every error body: plain text, no class names
        }
      }
    }
    assertThat(cases).isGreaterThan(200);
    assertThat(answered).isGreaterThan(cases / 2);

    // nothing stored is served with the wrong bytes, in any namespace
    try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      int hits = 0;
      for (String a : pool) {
        for (String[] who :
            new String[][] {
              {"", ServeHoldsTest.WRITER},
              {"ns/pr-1/", ServeHoldsTest.PR1},
              {"ns/pr-2/", ServeHoldsTest.PR2}
            }) {
          HttpResponse<byte[]> g =
              http.send(
                  HttpRequest.newBuilder(server.url().resolve(who[0] + "action/" + a))
                      .header("Want-Object", "1")
                      .header("Authorization", "Bearer " + who[1])
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray());
          assertThat(g.statusCode()).isIn(200, 404);
          if (g.statusCode() == 200) {
            hits++;
            assertThat(sha(g.body()))
                .isEqualTo(g.headers().firstValue("Go-Output-Id").orElseThrow());
          }
        }
      }
      assertThat(hits).as("some fuzzed PUTs were stored").isPositive();
      Figures.of("s49", cases, 0, worstNanos / 1e6)
          .with("seed", 49)
          .with("answered", answered)
          .with("verified_hits", hits)
          .print();
    }
  }

  /** One request as bytes: its head (request line and headers) and what follows. */
  record Request(String head, byte[] rest, boolean halfClose) {}

  private static Request request(Random rnd, List<String> pool) throws Exception {
    String method = METHODS[rnd.nextInt(METHODS.length)];
    byte[] body = new byte[rnd.nextInt(4) == 0 ? rnd.nextInt(70_000) : rnd.nextInt(300)];
    rnd.nextBytes(body);
    if (rnd.nextBoolean()) {
      java.util.Arrays.fill(body, (byte) 'x'); // compressible, for lz4 answers
    }
    String action = pool.get(rnd.nextInt(pool.size()));
    String output = rnd.nextInt(3) == 0 ? action(rnd.nextInt(1000)) : sha(body);
    String ns =
        switch (rnd.nextInt(6)) {
          case 0 -> "/ns/pr-1";
          case 1 -> "/ns/pr-2";
          case 2 -> "/ns/pr-99";
          case 3 -> "/ns/" + junk(rnd, 8);
          default -> "";
        };
    String path =
        switch (rnd.nextInt(12)) {
          case 0, 1, 2 -> ns + "/" + action + "/" + output;
          case 3, 4 -> ns + "/action/" + action;
          case 5 -> ns + "/output/" + output;
          case 6 -> ns + "/batch";
          case 7 -> ns + "/manifest/" + action;
          case 8 -> List.of("/metrics", "/status.json", "/", "/healthz").get(rnd.nextInt(4));
          case 9 -> ns + "/" + action.substring(0, rnd.nextInt(64)) + "/" + output;
          case 10 -> "/" + junk(rnd, rnd.nextInt(300));
          default -> ns + "/../" + action + "/%2e%2e/" + output;
        };
    if (path.startsWith("/ns") && path.contains("/batch")
        || path.contains("/manifest/") && rnd.nextBoolean()) {
      StringBuilder ids = new StringBuilder();
      for (int i = rnd.nextInt(5); i > 0; i--) {
        ids.append(pool.get(rnd.nextInt(pool.size()))).append('\n');
      }
      body = ids.toString().getBytes(StandardCharsets.US_ASCII);
    }
    StringBuilder h =
        new StringBuilder(method)
            .append(' ')
            .append(path)
            .append(" HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n");
    String token = TOKENS[rnd.nextInt(TOKENS.length)];
    if (token != null) {
      h.append("Authorization: ")
          .append(rnd.nextInt(8) == 0 ? "Basic " : "Bearer ")
          .append(token)
          .append("\r\n");
    }
    if (rnd.nextBoolean()) {
      h.append("Want-Object: 1\r\n");
    }
    if (rnd.nextInt(3) == 0) {
      h.append("Accept-Encoding: lz4\r\n");
    }
    int bodyMode = rnd.nextInt(6);
    byte[] sent = body;
    boolean halfClose = false;
    switch (bodyMode) {
      case 0 -> h.append("Content-Length: ").append(body.length).append("\r\n");
      case 1 -> h.append("Content-Length: ").append(body.length).append("\r\n");
      case 2 -> { // ends early
        h.append("Content-Length: ").append(body.length + 1 + rnd.nextInt(1000)).append("\r\n");
        halfClose = true;
      }
      case 3 -> { // declares less than it sends
        h.append("Content-Length: ")
            .append(Math.max(0, body.length - 1 - rnd.nextInt(50)))
            .append("\r\n");
      }
      case 4 ->
          h.append("Content-Length: ")
              .append(List.of("-1", "abc", "99999999999999999999", " 5").get(rnd.nextInt(4)))
              .append("\r\n");
      default -> {
        h.append("Transfer-Encoding: chunked\r\n");
        ByteArrayOutputStream c = new ByteArrayOutputStream();
        c.write((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        c.write(body);
        c.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        sent = c.toByteArray();
      }
    }
    if (rnd.nextInt(10) == 0) {
      h.append(junk(rnd, 10)).append(": ").append(junk(rnd, rnd.nextInt(200))).append("\r\n");
    }
    h.append("\r\n");
    return new Request(h.toString(), sent, halfClose);
  }

  private static String junk(Random rnd, int n) {
    String chars = "abcXYZ0189-._~%/?#&=+;:@!$'()*,[] \"<>\\^`{|}";
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(chars.charAt(rnd.nextInt(chars.length())));
    }
    return b.toString().replace(" ", "%20");
  }

  /**
   * Sends {@code r} on its own connection; the answer, or "" when the server closed it unanswered.
   */
  private String send(Request r) throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(15_000);
      OutputStream o = s.getOutputStream();
      try {
        o.write(r.head().getBytes(StandardCharsets.ISO_8859_1));
        o.write(r.rest());
        o.flush();
        if (r.halfClose()) {
          s.shutdownOutput();
        }
      } catch (SocketException e) {
        // the server answered early and closed: read what it said
      }
      InputStream in = s.getInputStream();
      try {
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no answer within 15 s (a hang) to: " + r.head(), e);
      } catch (SocketException e) {
        return "";
      }
    }
  }
}
