package dev.progcache.remote.s3;

import dev.progcache.cache.Key;
import dev.progcache.remote.RemoteException.Kind;
import dev.progcache.wire.BatchFrames;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Prefetch manifests in a bucket, as shards: every runner that adds ids writes its own object
 * {@code <prefix>/m/<context hex>/<inverted time>-<random>} (an id list, see {@link BatchFrames}),
 * so concurrent runners never overwrite each other. Reading lists the newest {@value #MAX_SHARDS}
 * shards (inverted time sorts them first) and returns their union, capped at {@value
 * BatchFrames#MAX_MANIFEST} ids; shards over the byte cap or malformed lines are skipped. Old
 * shards are never read again once newer ones exist; a lifecycle rule on {@code <prefix>/m/}
 * removes them. Thread-safe.
 */
final class S3Manifests {
  static final int MAX_SHARDS = 8;
  private static final long MAX_SHARD_BYTES =
      (long) BatchFrames.MAX_MANIFEST * (BatchFrames.LINE + 1);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final S3Tier tier;
  private final LongSupplier nowMillis;

  S3Manifests(S3Tier tier, LongSupplier nowMillis) {
    this.tier = tier;
    this.nowMillis = nowMillis;
  }

  Optional<List<Key>> read(Key context) throws IOException {
    String dir = dir(context);
    S3Client c = tier.client();
    String bucket = tier.location().bucket();
    ListObjectsV2Response listed;
    try {
      listed = c.listObjectsV2(b -> b.bucket(bucket).prefix(dir).maxKeys(MAX_SHARDS));
    } catch (SdkException e) {
      throw tier.classify(e, "LIST " + dir, Kind.DENIED_READ);
    }
    if (listed.contents().isEmpty()) {
      return Optional.empty();
    }
    Set<Key> all = new LinkedHashSet<>();
    for (S3Object o : listed.contents()) {
      if (o.size() == null || o.size() > MAX_SHARD_BYTES) {
        continue; // not one of ours
      }
      byte[] b;
      try {
        b = c.getObjectAsBytes(r -> r.bucket(bucket).key(o.key())).asByteArray();
      } catch (SdkException e) {
        throw tier.classify(e, "GET " + o.key(), Kind.DENIED_READ);
      }
      Optional<List<Key>> ids =
          BatchFrames.parseIds(new ByteArrayInputStream(b), BatchFrames.MAX_MANIFEST);
      for (Key k : ids.orElse(List.of())) {
        if (all.size() >= BatchFrames.MAX_MANIFEST) {
          break;
        }
        all.add(k);
      }
    }
    return Optional.of(List.copyOf(all));
  }

  void add(Key context, List<Key> ids) throws IOException {
    if (ids.isEmpty()) {
      return;
    }
    List<Key> some = ids.subList(0, Math.min(ids.size(), BatchFrames.MAX_MANIFEST));
    byte[] rnd = new byte[6];
    RANDOM.nextBytes(rnd);
    String key =
        dir(context)
            + String.format("%019d", Long.MAX_VALUE - nowMillis.getAsLong())
            + "-"
            + HexFormat.of().formatHex(rnd);
    byte[] body = BatchFrames.ids(some);
    try {
      tier.client()
          .putObject(
              r -> r.bucket(tier.location().bucket()).key(key).contentType("text/plain"),
              RequestBody.fromBytes(body));
    } catch (SdkException e) {
      throw tier.classify(e, "PUT " + key, Kind.DENIED_WRITE);
    }
  }

  private String dir(Key context) {
    return tier.location().manifestDir(context.hex());
  }
}
