package dev.progcache.remote.http;

import dev.progcache.remote.Background;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.util.concurrent.Semaphore;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link HttpTier} and its views of one server share: the HTTP client of uploads (built on
 * the first upload), whether to ask for lz4, the bound on requests in flight, the token.
 * Thread-safe.
 */
final class HttpConnection {
  final Background<HttpClient> client;
  final Semaphore slots;
  final Credentials credentials;
  final String credentialsHint;
  /** Whether to ask for lz4 bodies: not over loopback, where compressing only costs CPU. */
  private final Background<Boolean> lz4;

  HttpConnection(URI base, Credentials credentials, String hint, HttpTier.Settings settings) {
    this.slots = new Semaphore(settings.maxConcurrent());
    this.credentials = credentials;
    this.credentialsHint = hint;
    this.client = new Background<>("progcache-http-init", () -> build(base, settings));
    this.lz4 = new Background<>("progcache-http-lz4", () -> !loopback(base));
  }

  /** Starts, in the background, what the reads need first (the lz4 decision). */
  void warmUp() {
    lz4.start();
  }

  /** Whether to ask for lz4 bodies; decided once. */
  boolean askLz4() throws java.io.IOException {
    try {
      return lz4.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while resolving the server's address");
    } catch (java.util.concurrent.ExecutionException e) {
      return true;
    }
  }

  private static boolean loopback(URI base) {
    try {
      return java.net.InetAddress.getByName(base.getHost()).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false; // the request will report the unknown host
    }
  }

  private static HttpClient build(URI base, HttpTier.Settings settings) {
    HttpClient.Builder b = HttpClient.newBuilder();
    if (base.getScheme().equals("http")) {
      b.sslContext(noTls()).sslParameters(new SSLParameters());
    }
    // no proxy, as for reads (Exchange): the token goes to the configured server only
    return b.proxy(HttpClient.Builder.NO_PROXY)
        .connectTimeout(settings.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(
            base.getScheme().equals("https")
                ? HttpClient.Version.HTTP_2
                : HttpClient.Version.HTTP_1_1)
        .build();
  }

  /**
   * A TLS context that cannot make a connection, for a client of an {@code http://} server, which
   * never speaks TLS (redirects are not followed). The JDK's own context would be built for
   * nothing: measured on a one-shot helper (C1 only), building the client takes 300-340 ms with it
   * and 100-110 ms with this one.
   */
  private static SSLContext noTls() {
    return new SSLContext(new NoTls(), null, "none") {};
  }

  /** Refuses every TLS use; reports empty parameters. */
  private static final class NoTls extends SSLContextSpi {
    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) {}

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      throw refused();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      throw refused();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      throw refused();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      throw refused();
    }

    @Override
    protected @Nullable SSLSessionContext engineGetServerSessionContext() {
      return null;
    }

    @Override
    protected @Nullable SSLSessionContext engineGetClientSessionContext() {
      return null;
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      return new SSLParameters();
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      return new SSLParameters();
    }

    private static UnsupportedOperationException refused() {
      return new UnsupportedOperationException("no TLS on a client made for an http:// server");
    }
  }
}
