package dev.progcache.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for the helper's first line, logging "still waiting" at the builder's interval. */
final class Handshake {
  private Handshake() {}

  static Response await(CompletableFuture<Response> hello, String prog, ProgClientBuilder b)
      throws IOException {
    long start = System.nanoTime();
    long interval = b.waitLogInterval.toNanos();
    long limit = b.handshakeTimeout.map(d -> d.toNanos()).orElse(Long.MAX_VALUE);
    long nextLog = interval;
    while (true) {
      long elapsed = System.nanoTime() - start;
      if (elapsed >= limit) {
        throw new HelperFailedException(
            "GOCACHEPROG "
                + prog
                + " sent no handshake within "
                + b.handshakeTimeout.get().toMillis()
                + " ms; a helper must first write {\"ID\":0,\"KnownCommands\":[\"get\",\"put\",\"close\"]}");
      }
      if (elapsed >= nextLog) {
        b.log.accept("still waiting for GOCACHEPROG " + prog + " ...");
        nextLog += interval;
      }
      long wait = Math.max(1, Math.min(nextLog, limit) - elapsed);
      try {
        return hello.get(wait, TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        // log or give up, above
      } catch (ExecutionException e) {
        throw new HelperFailedException(e.getCause().getMessage(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException(
            "interrupted waiting for GOCACHEPROG " + prog + " to start");
      }
    }
  }
}
