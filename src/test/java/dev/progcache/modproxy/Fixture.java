package dev.progcache.modproxy;

import dev.progcache.server.CacheServer;
import dev.progcache.server.ServeConfig;
import dev.progcache.testing.Cmd;
import dev.progcache.testing.GoModule;
import dev.progcache.testing.GoTool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the module proxy's tests share: servers started in this JVM with a module proxy reading
 * through to a {@link FakeGoProxy}, the real go run against them with a fresh module cache, and a
 * plain HTTP client.
 */
final class Fixture implements AutoCloseable {
  /** A go build cache shared by every run of these tests: they test downloads, not compiling. */
  static final Path GOCACHE = Path.of("target", "modproxy-test-gocache").toAbsolutePath();

  final Path root;

  /** The upstream's files: the standard modules of {@link ModuleTree}. */
  final Path upstreamRoot;

  final FakeGoProxy upstream;
  final ByteArrayOutputStream log = new ByteArrayOutputStream();
  final PrintStream err = new PrintStream(log, true, StandardCharsets.UTF_8);
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<CacheServer> servers = new ArrayList<>();
  private int runs;

  /** A fixture under {@code root} with a test upstream serving the standard modules. */
  Fixture(Path root) throws IOException {
    this.root = root;
    this.upstreamRoot = root.resolve("upstream");
    ModuleTree.standard(upstreamRoot);
    this.upstream = FakeGoProxy.start(upstreamRoot);
  }

  /**
   * Module proxy settings reading through to {@code upstream}, failing a fetch after 2 s of
   * silence.
   */
  static ModProxySettings settings(String upstream, Duration listTtl) {
    return ModProxySettings.of(
            upstream, ModProxySettings.DEFAULT_MAX_MODULE_SIZE, listTtl, null, null)
        .withStall(Duration.ofSeconds(2));
  }

  /**
   * A server storing under {@code root/name} with the module proxy {@code m} and {@code tokens}.
   */
  CacheServer serve(String name, ModProxySettings m, @Nullable Path tokens) throws Exception {
    return serve(
        ServeConfig.onDisk("127.0.0.1", 0, root.resolve(name), tokens, limits(), false)
            .withModules(m));
  }

  CacheServer serve(ServeConfig c) throws Exception {
    CacheServer s = CacheServer.start(c, err);
    servers.add(s);
    return s;
  }

  static ServeConfig.Limits limits() {
    return new ServeConfig.Limits(1L << 30, 1L << 30, 64, Duration.ofSeconds(10), 8192, 4096);
  }

  /**
   * A hermetic go environment with GOPROXY at {@code proxy}, no checksum database, a new
   * GOMODCACHE.
   */
  Map<String, String> goEnv(URI proxy, Path modCache) {
    return GoModule.throughProxy(
        GoModule.env(root.resolve("go-" + (++runs)), GOCACHE), proxy.toString(), modCache);
  }

  /** Runs {@code go args...} in {@code dir} with {@code env}; at most two minutes. */
  static Cmd.Result go(Path dir, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(GoTool.go().toString());
    cmd.addAll(List.of(args));
    return Cmd.run(dir, env, 120, cmd);
  }

  /** GET {@code url} with {@code token} (null: none). */
  HttpResponse<byte[]> get(URI url, @Nullable String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  String log() {
    return log.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    http.shutdownNow();
    for (CacheServer s : servers) {
      s.close();
    }
    upstream.close();
  }
}
