package dev.progcache.remote.http;

import dev.progcache.remote.Background;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.concurrent.Semaphore;

/**
 * What an {@link HttpTier} and its views of one server share: the HTTP client (built on first use,
 * or in the background after {@link HttpTier#warmUp}), the bound on requests in flight, the token.
 * Thread-safe.
 */
final class HttpConnection {
  final Background<HttpClient> client;
  final Semaphore slots;
  final Credentials credentials;
  final String credentialsHint;
  /** Whether to ask for lz4 bodies: not over loopback, where compressing only costs CPU. */
  volatile boolean askLz4 = true;

  HttpConnection(URI base, Credentials credentials, String hint, HttpTier.Settings settings) {
    this.slots = new Semaphore(settings.maxConcurrent());
    this.credentials = credentials;
    this.credentialsHint = hint;
    this.client = new Background<>("progcache-http-init", () -> build(base, settings));
  }

  private HttpClient build(URI base, HttpTier.Settings settings) {
    try {
      askLz4 = !java.net.InetAddress.getByName(base.getHost()).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      askLz4 = true; // the request will report the unknown host
    }
    return HttpClient.newBuilder()
        .connectTimeout(settings.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(
            base.getScheme().equals("https")
                ? HttpClient.Version.HTTP_2
                : HttpClient.Version.HTTP_1_1)
        .build();
  }
}
