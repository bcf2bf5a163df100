package dev.progcache.modproxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Cmd;
import dev.progcache.testing.Dist;
import dev.progcache.testing.GoTool;
import dev.progcache.testing.ServeProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The built {@code progcache serve --modproxy}: its default upstream comes from go env GOPROXY. */
@Timeout(180)
class ModProxyServeIT {
  @TempDir Path tmp;

  private static Map<String, String> goproxy(String value) {
    return Map.of(
        "GOPROXY",
        value,
        "GOENV",
        "off",
        "PATH",
        GoTool.go().getParent() + ":" + System.getenv("PATH"));
  }

  @Test
  void modproxyAlone_readsThroughToTheProxiesGoEnvNames_leavingDirectOut() throws Exception {
    try (FakeGoProxy upstream = FakeGoProxy.start(standard());
        ServeProcess s =
            ServeProcess.start(
                "127.0.0.1:0",
                tmp.resolve("srv"),
                goproxy(upstream.url() + ",direct"),
                "--modproxy");
        HttpClient http = HttpClient.newHttpClient()) {
      String zip = "example.com/!upper/!lib/@v/v0.1.0.zip";

      HttpResponse<byte[]> r =
          http.send(
              HttpRequest.newBuilder(URI.create(s.url() + "mod/" + zip)).build(),
              HttpResponse.BodyHandlers.ofByteArray());

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(Files.readAllBytes(tmp.resolve("upstream").resolve(zip)));
      assertThat(upstream.requests(zip)).isEqualTo(1);
      assertThat(s.stderr())
          .contains("module proxy at /mod/: modules from [" + upstream.url() + "]");
    }
  }

  @Test
  void modproxyAlone_whenGoEnvNamesNoProxy_stopsWithExit2AndSaysWhatToGive() throws Exception {
    Cmd.Result r =
        Cmd.run(
            tmp,
            goproxy("direct"),
            60,
            List.of(
                Dist.launcher().toString(),
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--dir",
                tmp.resolve("srv").toString(),
                "--modproxy"));

    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("go env GOPROXY, which names none (\"direct\")")
        .contains("give the upstream proxy as --modproxy URL");
  }

  private Path standard() throws Exception {
    Path root = tmp.resolve("upstream");
    ModuleTree.standard(root);
    return root;
  }
}
