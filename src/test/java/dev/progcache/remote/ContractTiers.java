package dev.progcache.remote;

import dev.progcache.cache.Stats;
import dev.progcache.remote.http.HttpTier;
import dev.progcache.server.LoopbackServer;
import dev.progcache.testing.TierContract;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;

/** Tiers over progcache serve on 127.0.0.1, for the contract tests of the decorators. */
final class ContractTiers {
  private ContractTiers() {}

  /** A server on 127.0.0.1 shared by the tests of the running contract class. */
  static LoopbackServer server() throws Exception {
    return TierContract.shared("server", LoopbackServer::started);
  }

  static HttpTier http(LoopbackServer server) {
    return new HttpTier(HttpTier.Config.of(server.url(), "t0ken-for-tests-only"));
  }

  static RemoteLog log() {
    return new RemoteLog(new Stats(), new PrintStream(OutputStream.nullOutputStream()));
  }

  static BestEffort bestEffort(RemoteTier delegate, RemoteLog log) {
    return new BestEffort(
        delegate,
        "contract",
        new BestEffort.Policy(Duration.ofSeconds(5), 3, Duration.ofSeconds(30), Duration.ZERO),
        log);
  }
}
