package dev.progcache.remote;

import dev.progcache.server.LoopbackServer;
import dev.progcache.testing.RemoteSubject;
import dev.progcache.testing.TierContract;
import java.nio.file.Path;

/** BestEffort over the HTTP tier: failures become misses, the contract still holds. */
class BestEffortContractTest extends TierContract {
  @Override
  protected Subject open(Path dir) throws Exception {
    LoopbackServer server = ContractTiers.server();
    RemoteTier tier = ContractTiers.bestEffort(ContractTiers.http(server), ContractTiers.log());
    return new RemoteSubject(tier, dir);
  }
}
