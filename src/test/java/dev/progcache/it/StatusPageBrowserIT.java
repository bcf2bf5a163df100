package dev.progcache.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Chromium;
import dev.progcache.testing.Cmd;
import dev.progcache.testing.Dist;
import dev.progcache.testing.GoModule;
import dev.progcache.testing.GoRun;
import dev.progcache.testing.ServeProcess;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The status page of a real {@code progcache serve} in a real headless Chromium, after real go
 * builds went through it: the page shows what {@code /status.json} reports, loads without a console
 * error or a failed request, and is refused without a token where reads need one. Screenshots go to
 * {@code target/status-page/}.
 */
@Timeout(900)
class StatusPageBrowserIT {
  private static final Path SHOTS = Path.of("target", "status-page");
  @TempDir Path tmp;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
    http.shutdownNow();
  }

  private GoRun.Result build(Path module, String home, ServeProcess s, Map<String, String> env)
      throws Exception {
    Path h = Files.createDirectories(tmp.resolve(home));
    List<String> helper =
        List.of("--dir", h.resolve("cache").toString(), "-v", "--remote", s.url().toString());
    Map<String, String> e = new java.util.HashMap<>(env);
    e.put("PROGCACHE_REMOTE_DRAIN", "60s");
    GoRun.Result r =
        GoRun.go(module, h, helper, e, 300, "build", "-o", h.resolve("bin").toString(), ".");
    assertThat(r.exit()).as("go build; stderr:\n%s", r.stderr()).isZero();
    assertThat(r.stat("remote-errors")).as("stderr:\n%s", r.stderr()).isZero();
    return r;
  }

  private JsonNode statusJson(ServeProcess s, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(s.url().resolve("status.json"));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("status.json: %s", r.body()).isEqualTo(200);
    return json.readTree(r.body());
  }

  private Chromium browser(String name) throws Exception {
    Chromium c = Chromium.start(tmp.resolve("chromium-" + name));
    open.add(c);
    return c;
  }

  @Test
  void statusPage_afterRealBuilds_showsTheFiguresOfStatusJson_withoutErrors() throws Exception {
    // the figures are checked before the browser is looked for: they hold without one
    ServeProcess s = ServeProcess.start("127.0.0.1:0", tmp.resolve("srv"), "--no-access-log");
    open.add(s);
    Path module = tmp.resolve("module");
    GoModule.write(module);
    GoRun.Result cold = build(module, "a", s, Map.of());
    assertThat(cold.stat("remote-uploads")).isPositive();
    GoRun.Result warm = build(module, "b", s, Map.of());
    assertThat(warm.stat("prefetched"))
        .as("the warm build is served through prefetch")
        .isPositive();

    JsonNode st = statusJson(s, null);
    double ratio = st.at("/requests/hitRatio").asDouble();
    long entries = st.at("/store/entries").asLong();
    long bytes = st.at("/store/bytes").asLong();
    // the server's figures are the helpers' own: every entry they got, by get or by prefetch
    long hits = 0;
    long misses = 0;
    for (GoRun.Result r : List.of(cold, warm)) {
      hits += r.stat("remote-hits") + r.stat("prefetched");
      misses += r.stat("remote-misses");
    }
    assertThat(st.at("/requests/hits").asLong()).isEqualTo(hits);
    assertThat(st.at("/requests/batchHits").asLong())
        .isEqualTo(cold.stat("prefetched") + warm.stat("prefetched"));
    assertThat(st.at("/requests/actionMisses").asLong()).isEqualTo(misses);
    assertThat(ratio).isEqualTo((double) hits / (hits + misses));
    assertThat(st.at("/namespaces/0/hits").asLong()).isEqualTo(hits);
    assertThat(st.at("/requests/uploads").asLong())
        .isEqualTo(cold.stat("remote-uploads") + warm.stat("remote-uploads"));
    assertThat(entries).isPositive();
    assertThat(bytes).isPositive();

    Chromium.binary();
    Chromium c = browser("plain");
    assertThat(c.load(s.url())).isEqualTo(200);
    assertThat(c.eval("document.title").asString()).contains("progcache");
    assertThat(c.eval("document.getElementById('hit-ratio').dataset.value").asString())
        .isEqualTo(Double.toString(ratio));
    assertThat(c.eval("document.getElementById('hit-ratio').textContent").asString())
        .isEqualTo(String.format(Locale.ROOT, "%.1f %%", ratio * 100));
    assertThat(c.eval("document.getElementById('entries').dataset.value").asLong())
        .isEqualTo(entries);
    assertThat(c.eval("document.getElementById('entries').textContent").asString())
        .isEqualTo(String.format(Locale.ROOT, "%,d", entries));
    assertThat(c.eval("document.getElementById('bytes').dataset.value").asLong()).isEqualTo(bytes);
    assertThat(c.eval("document.getElementById('bytes').textContent").asString())
        .matches("[0-9.]+ (B|KiB|MiB|GiB)");
    assertThat(
            c.eval(
                    "document.querySelector('#namespaces tr[data-namespace=main] td:nth-child(2)').dataset.value")
                .asLong())
        .isEqualTo(st.at("/namespaces/0/entries").asLong());
    assertThat(c.eval("document.querySelectorAll('svg.chart').length").asInt()).isEqualTo(4);
    assertThat(c.eval("document.querySelectorAll('script').length").asInt()).isZero();
    // the charts hold the builds' requests: at least one bar in the last hour's requests/s
    assertThat(
            c.eval("document.querySelectorAll('svg.chart')[1].querySelectorAll('rect').length")
                .asInt())
        .isPositive();
    c.screenshot(SHOTS.resolve("status.png"));
    assertThat(Files.size(SHOTS.resolve("status.png"))).isGreaterThan(10_000);
    assertThat(c.problems()).as("console errors and failed requests").isEmpty();
  }

  @Test
  void withTokens_pageAndJsonAreRefusedWithoutToken_andShowNoTokenWithOne() throws Exception {
    Chromium.binary();
    Path tokens = tmp.resolve("etc").resolve("tokens");
    String reader = token(tokens, "--read", "--name", "dashboard-reader");
    String writer = token(tokens, "--read", "--write", "--name", "ci-main");
    ServeProcess s =
        ServeProcess.start("127.0.0.1:0", tmp.resolve("srv"), "--tokens", tokens.toString());
    open.add(s);
    for (String path : List.of("", "status.json")) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(s.url().resolve(path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("/%s without a token", path).isEqualTo(401);
      assertThat(r.body()).doesNotContain("progcache serve");
    }
    JsonNode st = statusJson(s, reader);
    assertThat(st.at("/principal").asString()).isEqualTo("dashboard-reader");

    Chromium anonymous = browser("anonymous");
    assertThat(anonymous.load(s.url())).isEqualTo(401);
    assertThat(anonymous.eval("document.body.innerText").asString()).doesNotContain("Hit ratio");
    assertThat(
            anonymous
                .eval("document.querySelectorAll('form#sign-in input[type=password]').length")
                .asInt())
        .isOne();
    anonymous.screenshot(SHOTS.resolve("sign-in.png"));

    // sign in by typing the token into the form: the page then shows what status.json shows
    anonymous.type("#token", reader);
    assertThat(anonymous.navigateBy("document.querySelector('form#sign-in button').click()"))
        .isEqualTo(200);
    JsonNode now = statusJson(s, reader);
    assertThat(anonymous.eval("document.body.innerText").asString())
        .contains("Hit ratio")
        .contains("dashboard-reader");
    assertThat(anonymous.eval("document.getElementById('entries').dataset.value").asLong())
        .isEqualTo(now.at("/store/entries").asLong());
    assertThat(anonymous.eval("document.getElementById('uptime').dataset.value").asLong())
        .isBetween(
            now.at("/uptimeSeconds").asLong() - 5,
            now.at("/uptimeSeconds").asLong()); // the page came first
    assertThat(
            anonymous
                .eval(
                    "document.querySelector('#namespaces tr[data-namespace=main] td:nth-child(2)').dataset.value")
                .asLong())
        .isEqualTo(now.at("/namespaces/0/entries").asLong());
    assertThat(anonymous.eval("document.documentElement.outerHTML").asString())
        .doesNotContain(reader);
    assertThat(anonymous.eval("document.cookie").asString())
        .as("no script sees the session")
        .isEmpty();
    JsonNode cookies = anonymous.cookies();
    assertThat(cookies).hasSize(1);
    assertThat(cookies.get(0).path("httpOnly").asBoolean()).isTrue();
    assertThat(cookies.get(0).path("sameSite").asString()).isEqualTo("Strict");
    assertThat(cookies.get(0).path("value").asString()).isNotBlank().doesNotContain(reader);
    anonymous.screenshot(SHOTS.resolve("signed-in.png"));
    // the same page in the browser is also its status.json
    assertThat(anonymous.load(s.url().resolve("status.json"))).isEqualTo(200);
    assertThat(
            json.readTree(anonymous.eval("document.querySelector('pre').innerText").asString())
                .at("/principal")
                .asString())
        .isEqualTo("dashboard-reader");
    assertThat(anonymous.load(s.url())).isEqualTo(200);
    assertThat(anonymous.navigateBy("document.getElementById('sign-out').click()")).isEqualTo(401);
    assertThat(anonymous.eval("document.body.innerText").asString()).doesNotContain("Hit ratio");
    assertThat(anonymous.cookies()).isEmpty();
    assertThat(anonymous.problems())
        .as("only the sign-in form's own 401s")
        .allMatch(p -> p.contains("401") && p.endsWith(" " + s.url()));

    Chromium c = browser("reader");
    c.extraHeaders(Map.of("Authorization", "Bearer " + reader));
    assertThat(c.load(s.url())).isEqualTo(200);
    String html = c.eval("document.documentElement.outerHTML").asString();
    assertThat(html).contains("dashboard-reader").contains("Hit ratio");
    assertThat(html).doesNotContain(reader).doesNotContain(writer);
    assertThat(c.eval("document.getElementById('entries').dataset.value").asLong())
        .isEqualTo(st.at("/store/entries").asLong());
    String body = statusJson(s, writer).toString();
    assertThat(body).doesNotContain(reader).doesNotContain(writer);
    c.screenshot(SHOTS.resolve("status-with-token.png"));
    assertThat(c.problems()).isEmpty();
    assertThat(s.stderr()).doesNotContain(reader).doesNotContain(writer);
  }

  private String token(Path file, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Dist.launcher().toString(), "token", "create"));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--tokens", file.toString()));
    Cmd.Result r = Cmd.run(tmp, Map.of(), 60, cmd);
    assertThat(r.code()).as("token create; stderr:\n%s", r.err()).isZero();
    return r.out().strip();
  }
}
