package dev.progcache.remote.s3;

import dev.progcache.cache.Stats;
import dev.progcache.remote.RemoteLog;
import dev.progcache.testing.RemoteSubject;
import dev.progcache.testing.S3Proxy;
import dev.progcache.testing.TierContract;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** The S3 tier against s3proxy on 127.0.0.1, a fresh bucket per test. */
class S3TierContractTest extends TierContract {
  private static final AtomicInteger BUCKETS = new AtomicInteger();
  @TempDir static Path shared;
  private static S3Proxy s3;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3Proxy.start(shared.resolve("s3"));
  }

  @AfterAll
  static void stopS3() {
    if (s3 != null) {
      s3.close();
    }
  }

  @Override
  protected Subject open(Path dir) throws Exception {
    String bucket = "progcache-contract-" + BUCKETS.incrementAndGet();
    s3.createBucket(bucket);
    RemoteLog log = new RemoteLog(new Stats(), new PrintStream(OutputStream.nullOutputStream()));
    S3Tier tier =
        new S3Tier(
            s3.location(bucket, "contract"),
            S3Tier.Settings.DEFAULT,
            log,
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(S3Proxy.ACCESS_KEY, S3Proxy.SECRET_KEY)));
    return new RemoteSubject(tier, dir);
  }
}
