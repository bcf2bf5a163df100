package dev.progcache.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A headless Chromium driven over the DevTools protocol (the JDK's WebSocket client), one page.
 * Records console errors, uncaught exceptions, failed loads and HTTP error responses, so a test can
 * demand that a page loads cleanly.
 *
 * <p>The browser is {@code $PROGCACHE_TEST_CHROMIUM} or Debian's {@code /usr/bin/chromium} (package
 * {@code chromium}); without one the test is skipped, except under {@code CI=true}, where it fails.
 * Not thread-safe: one test drives it.
 */
public final class Chromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);
  private final Process process;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private final List<Integer> statuses = new CopyOnWriteArrayList<>();
  private volatile CompletableFuture<Void> loaded = new CompletableFuture<>();

  private Chromium(Process process, WebSocket socket) {
    this.process = process;
    this.socket = socket;
  }

  /** The browser binary; skips the test without one (fails it under CI=true). */
  public static Path binary() {
    String env = System.getenv("PROGCACHE_TEST_CHROMIUM");
    for (String c : new String[] {env, "/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
      if (c != null && !c.isEmpty() && Files.isExecutable(Path.of(c))) {
        return Path.of(c);
      }
    }
    String why =
        "no Chromium found (PROGCACHE_TEST_CHROMIUM, /usr/bin/chromium; Debian package chromium)";
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(why + "; CI=true requires the browser tests to run");
    }
    Assumptions.abort(why);
    throw new AssertionError("unreachable");
  }

  /** Starts a headless browser with a fresh profile in {@code profile} and attaches to its page. */
  public static Chromium start(Path profile) throws IOException, InterruptedException {
    Files.createDirectories(profile);
    List<String> cmd =
        List.of(
            binary().toString(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--window-size=1280,900",
            "--user-data-dir=" + profile,
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "about:blank");
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(profile.resolveSibling(profile.getFileName() + ".log").toFile())
            .start();
    boolean started = false;
    try {
      Path portFile = profile.resolve("DevToolsActivePort");
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!Files.isRegularFile(portFile) || Files.readAllLines(portFile).size() < 2) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError(
              "Chromium did not open its DevTools port; exit "
                  + (p.isAlive() ? "-" : p.exitValue()));
        }
        Thread.sleep(100);
      }
      int port = Integer.parseInt(Files.readAllLines(portFile).get(0).strip());
      HttpClient http = HttpClient.newHttpClient();
      String list =
          http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      String ws = null;
      for (JsonNode t : JSON.readTree(list)) {
        if (t.path("type").asString("").equals("page")) {
          ws = t.path("webSocketDebuggerUrl").asString();
          break;
        }
      }
      if (ws == null) {
        throw new AssertionError("Chromium has no page target: " + list);
      }
      Listener l = new Listener();
      WebSocket socket =
          http.newWebSocketBuilder()
              .buildAsync(URI.create(ws), l)
              .orTimeout(60, TimeUnit.SECONDS)
              .join();
      Chromium c = new Chromium(p, socket);
      l.owner = c;
      for (String domain : List.of("Page", "Runtime", "Log", "Network")) {
        c.call(domain + ".enable", Map.of());
      }
      started = true;
      return c;
    } finally {
      if (!started) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
    }
  }

  /** Sends HTTP headers with every request of the page from now on. */
  public void extraHeaders(Map<String, String> headers) {
    call("Network.setExtraHTTPHeaders", Map.of("headers", headers));
  }

  /** Loads {@code url} and waits for its load event; returns the main document's HTTP status. */
  public int load(URI url) {
    statuses.clear();
    loaded = new CompletableFuture<>();
    call("Page.navigate", Map.of("url", url.toString()));
    loaded.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    return statuses.isEmpty() ? 0 : statuses.getFirst();
  }

  /**
   * Runs {@code js} that makes the page navigate (a click on a form's button) and waits for the new
   * page's load event; returns its main document's HTTP status (after redirects).
   */
  public int navigateBy(String js) {
    statuses.clear();
    loaded = new CompletableFuture<>();
    eval(js);
    loaded.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    return statuses.isEmpty() ? 0 : statuses.getLast();
  }

  /**
   * Focuses the element {@code selector} finds and types {@code text} into it, as a keyboard would.
   */
  public void type(String selector, String text) {
    eval("document.querySelector(" + JSON.writeValueAsString(selector) + ").focus()");
    call("Input.insertText", Map.of("text", text));
  }

  /** The browser's cookies for the current page, as the DevTools protocol describes them. */
  public JsonNode cookies() {
    return call("Network.getCookies", Map.of()).path("cookies");
  }

  /** Evaluates {@code js} in the page; returns its value (JSON). */
  public JsonNode eval(String js) {
    JsonNode r = call("Runtime.evaluate", Map.of("expression", js, "returnByValue", true));
    if (r.has("exceptionDetails")) {
      throw new AssertionError("script failed: " + js + ": " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  /** Saves a PNG of the whole page at 1280 px wide in {@code file}. */
  public void screenshot(Path file) throws IOException {
    JsonNode m = call("Page.getLayoutMetrics", Map.of());
    int height = (int) Math.ceil(m.path("cssContentSize").path("height").asDouble(900));
    call(
        "Emulation.setDeviceMetricsOverride",
        Map.of(
            "width",
            1280,
            "height",
            Math.max(600, height),
            "deviceScaleFactor",
            1,
            "mobile",
            false));
    JsonNode shot =
        call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, Base64.getDecoder().decode(shot.path("data").asString()));
  }

  /** Console errors, uncaught exceptions, failed loads and HTTP errors seen so far. */
  public List<String> problems() {
    return new ArrayList<>(problems);
  }

  private JsonNode call(String method, Map<String, ?> params) {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    ObjectNode msg = JSON.createObjectNode();
    msg.put("id", id);
    msg.put("method", method);
    msg.set("params", JSON.valueToTree(params));
    socket.sendText(JSON.writeValueAsString(msg), true).join();
    JsonNode r = f.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    if (r.has("error")) {
      throw new AssertionError(method + " failed: " + r.get("error"));
    }
    return r.path("result");
  }

  private void onMessage(String text) {
    JsonNode m = JSON.readTree(text);
    if (m.has("id")) {
      CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
      if (f != null) {
        f.complete(m);
      }
      return;
    }
    JsonNode p = m.path("params");
    switch (m.path("method").asString("")) {
      case "Page.loadEventFired" -> loaded.complete(null);
      case "Runtime.consoleAPICalled" -> {
        String type = p.path("type").asString("");
        if (type.equals("error") || type.equals("assert")) {
          problems.add("console." + type + ": " + p.path("args"));
        }
      }
      case "Runtime.exceptionThrown" -> problems.add("exception: " + p.path("exceptionDetails"));
      case "Log.entryAdded" -> {
        if (p.path("entry").path("level").asString("").equals("error")) {
          problems.add(
              "log error: "
                  + p.path("entry").path("text").asString("")
                  + " "
                  + p.path("entry").path("url").asString(""));
        }
      }
      case "Network.loadingFailed" ->
          problems.add(
              "failed request: "
                  + p.path("errorText").asString("")
                  + " ("
                  + p.path("type").asString("")
                  + ")");
      case "Network.responseReceived" -> {
        int status = p.path("response").path("status").asInt();
        if (p.path("type").asString("").equals("Document")) {
          statuses.add(status);
        }
        if (status >= 400) {
          problems.add("HTTP " + status + ": " + p.path("response").path("url").asString(""));
        }
      }
      default -> {}
    }
  }

  @Override
  public void close() {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the browser goes away below anyway
    }
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Joins text frames into messages and hands them to the browser object. */
  private static final class Listener implements WebSocket.Listener {
    private final StringBuilder buf = new StringBuilder();
    volatile Chromium owner;

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      buf.append(data);
      if (last) {
        String msg = buf.toString();
        buf.setLength(0);
        Chromium c = owner;
        if (c != null) {
          c.onMessage(msg);
        }
      }
      ws.request(1);
      return null;
    }
  }
}
