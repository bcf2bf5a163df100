package dev.progcache.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.Cmd;
import dev.progcache.testing.FaultServer;
import dev.progcache.testing.GoRun;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared tier over HTTPS: a real go build through the real helper, against a cache server on
 * loopback with a self-signed certificate made for the test. Reads (the JDK's blocking client) and
 * uploads (HttpClient) both go over TLS when the certificate is trusted; when it is not, the build
 * still succeeds, nothing is sent, and go sees no Err.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class TlsIT {
  private static final String PASSWORD = "test-store-password";
  private static final String TOKEN = "tls-it-token-0123456789abcdef";
  @TempDir static Path tmp;
  private FaultServer server;
  private Path module;
  private Path keys;
  private int run;

  @BeforeAll
  void start() throws Exception {
    keys = tmp.resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Cmd.run(
            tmp,
            Map.of(),
            120,
            List.of(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keys.toString(),
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD))
        .ok();
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keys)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASSWORD.toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    server = FaultServer.startTls("127.0.0.1", tls);
    module = GoRun.tinyModule(tmp.resolve("mod"));
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private GoRun.Result build(boolean trusted) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("PROGCACHE_TOKEN", TOKEN);
    env.put("PROGCACHE_REMOTE_TIMEOUT", "10s");
    env.put("PROGCACHE_REMOTE_DRAIN", "30s");
    if (trusted) {
      // the helper's JVM trusts exactly the test's certificate
      env.put(
          "PROGCACHE_JAVA_OPTS",
          "-Djavax.net.ssl.trustStore="
              + keys
              + " -Djavax.net.ssl.trustStorePassword="
              + PASSWORD
              + " -Djavax.net.ssl.trustStoreType=PKCS12");
    }
    return GoRun.buildWithRemote(module, tmp.resolve("run" + run++), server.url(), env, 240);
  }

  @Test
  void trustedCertificate_uploadsThenReadsOverTls_untrusted_buildsWithoutTheTier()
      throws Exception {
    assertThat(server.url().getScheme()).isEqualTo("https");

    GoRun.Result first = build(true);
    assertThat(first.exit()).as("stderr:\n%s", first.stderr()).isZero();
    assertThat(first.stat("puts")).as("stderr:\n%s", first.stderr()).isPositive();
    assertThat(first.stat("remote-uploads"))
        .as("stderr:\n%s", first.stderr())
        .isEqualTo(first.stat("puts"));
    assertThat(server.store()).isNotEmpty();
    assertThat(server.authorizations()).isNotEmpty().allMatch(a -> a.equals("Bearer " + TOKEN));

    GoRun.Result fresh = build(true);
    assertThat(fresh.exit()).as("stderr:\n%s", fresh.stderr()).isZero();
    assertThat(fresh.stat("remote-hits"))
        .as("stderr:\n%s", fresh.stderr())
        .isPositive()
        .isEqualTo(fresh.stat("hits"));
    assertThat(fresh.stat("errors")).isZero();

    int before = server.store().size();
    GoRun.Result untrusted = build(false);
    assertThat(untrusted.exit()).as("stderr:\n%s", untrusted.stderr()).isZero();
    assertThat(untrusted.hasStats()).as("stderr:\n%s", untrusted.stderr()).isTrue();
    assertThat(untrusted.stat("errors"))
        .as("Errs sent to go; stderr:\n%s", untrusted.stderr())
        .isZero();
    assertThat(untrusted.stat("remote-hits")).isZero();
    // said once, naming the cause
    assertThat(untrusted.stderr()).doesNotContain(TOKEN).containsIgnoringCase("certificat");
    // one line about the remote for the whole go command, whichever request met the problem first
    assertThat(
            untrusted.stderr().lines().filter(l -> l.contains("progcache: remote cache")).count())
        .as("stderr:\n%s", untrusted.stderr())
        .isEqualTo(1);
    assertThat(server.store()).hasSize(before);
  }
}
