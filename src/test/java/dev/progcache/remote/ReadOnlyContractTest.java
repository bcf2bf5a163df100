package dev.progcache.remote;

import dev.progcache.cache.Key;
import dev.progcache.remote.http.HttpTier;
import dev.progcache.server.LoopbackServer;
import dev.progcache.testing.RemoteSubject;
import dev.progcache.testing.TierContract;
import java.nio.file.Path;

/** ReadOnly over the HTTP tier: reads what another writer stored; its own puts store nothing. */
class ReadOnlyContractTest extends TierContract {
  @Override
  protected Subject open(Path dir) throws Exception {
    LoopbackServer server = ContractTiers.server();
    HttpTier writer = ContractTiers.http(server);
    RemoteSubject seeder = new RemoteSubject(writer, dir.resolve("writer"));
    ReadOnly tier = new ReadOnly(ContractTiers.http(server), ContractTiers.log());
    return new RemoteSubject(tier, dir, seeder) {
      @Override
      public void seed(Key action, byte[] body) throws Exception {
        seeder.seed(action, body);
      }

      @Override
      public boolean storesPuts() {
        return false;
      }
    };
  }
}
