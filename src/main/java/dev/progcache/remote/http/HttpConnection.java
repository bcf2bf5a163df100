package dev.progcache.remote.http;

import dev.progcache.remote.Background;
import java.net.URI;
import java.util.concurrent.Semaphore;

/**
 * What an {@link HttpTier} and its views of one server share: whether to ask for lz4, the bound on
 * requests in flight, the token. Thread-safe.
 */
final class HttpConnection {
  final Semaphore slots;
  final Credentials credentials;
  final String credentialsHint;

  /** Whether to ask for lz4 bodies: not over loopback, where compressing only costs CPU. */
  private final Background<Boolean> lz4;

  HttpConnection(URI base, Credentials credentials, String hint, HttpTier.Settings settings) {
    this.slots = new Semaphore(settings.maxConcurrent());
    this.credentials = credentials;
    this.credentialsHint = hint;
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
}
