package dev.progcache.remote.http;

import dev.progcache.server.LoopbackServer;
import dev.progcache.testing.RemoteSubject;
import dev.progcache.testing.TierContract;
import java.nio.file.Path;

/** The HTTP tier against progcache serve on 127.0.0.1. */
class HttpTierContractTest extends TierContract {
  @Override
  protected Subject open(Path dir) throws Exception {
    LoopbackServer server = shared("server", LoopbackServer::started);
    HttpTier tier = new HttpTier(HttpTier.Config.of(server.url(), "t0ken-for-tests-only"));
    return new RemoteSubject(tier, dir);
  }
}
