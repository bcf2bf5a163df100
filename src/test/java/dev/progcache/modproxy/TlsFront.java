package dev.progcache.modproxy;

import dev.progcache.testing.Cmd;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * A TLS reverse proxy on loopback in front of a plain HTTP server, with a self-signed certificate
 * for 127.0.0.1 made by keytool ({@link #certificate} is its PEM, for go's SSL_CERT_FILE): go sends
 * GOAUTH credentials only over HTTPS.
 */
final class TlsFront implements AutoCloseable {
  private static final String PASSWORD = "progcache-test";
  private final ServerSocket socket;
  private final Path certificate;

  private TlsFront(ServerSocket socket, Path certificate) {
    this.socket = socket;
    this.certificate = certificate;
  }

  /** Makes a key pair and certificate under {@code dir} and forwards to {@code backendPort}. */
  static TlsFront start(Path dir, int backendPort) throws Exception {
    Path ks = dir.resolve("tls.p12");
    Path pem = dir.resolve("tls.pem");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Cmd.run(
            dir,
            Map.of(),
            60,
            List.of(
                keytool,
                "-genkeypair",
                "-alias",
                "s",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "san=ip:127.0.0.1",
                "-validity",
                "2",
                "-keystore",
                ks.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                PASSWORD))
        .ok();
    Cmd.run(
            dir,
            Map.of(),
            60,
            List.of(
                keytool,
                "-exportcert",
                "-rfc",
                "-alias",
                "s",
                "-keystore",
                ks.toString(),
                "-storepass",
                PASSWORD,
                "-file",
                pem.toString()))
        .ok();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = java.nio.file.Files.newInputStream(ks)) {
      store.load(in, PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, PASSWORD.toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    SSLServerSocket s =
        (SSLServerSocket)
            ctx.getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    TlsFront f = new TlsFront(s, pem);
    Thread.ofVirtual().start(() -> f.accept(backendPort));
    return f;
  }

  private void accept(int backendPort) {
    while (!socket.isClosed()) {
      try {
        Socket client = socket.accept();
        Socket backend = new Socket(InetAddress.getLoopbackAddress(), backendPort);
        Thread.ofVirtual().start(() -> pump(client, backend));
        Thread.ofVirtual().start(() -> pump(backend, client));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private static void pump(Socket from, Socket to) {
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      // one side closed
    } finally {
      try {
        from.close();
        to.close();
      } catch (IOException e) {
        // closing
      }
    }
  }

  URI url() {
    return URI.create("https://127.0.0.1:" + socket.getLocalPort() + "/");
  }

  Path certificate() {
    return certificate;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
