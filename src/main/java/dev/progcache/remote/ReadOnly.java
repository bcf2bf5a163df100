package dev.progcache.remote;

import dev.progcache.cache.Key;
import dev.progcache.wire.Manifest;
import java.nio.file.Path;

/**
 * A shared tier that is only read: gets go through, puts are skipped (and counted), so a build that
 * must not publish (a pull request, an untrusted branch) still benefits from the cache. The local
 * disk still takes every put, and go is still told the helper can put.
 *
 * <p>Thread-safe if the delegate is. {@link #put} never throws.
 */
public final class ReadOnly extends ForwardingTier {
  /** Counter of uploads skipped because the tier is read-only. */
  public static final RemoteCounter SKIPPED = RemoteCounter.UPLOAD_READ_ONLY;

  private final RemoteLog log;

  public ReadOnly(RemoteTier delegate, RemoteLog log) {
    super(delegate);
    this.log = log;
  }

  @Override
  public void put(Key action, Key output, long size, Path body) {
    log.count(SKIPPED, 1);
  }

  /** Read-only: the manifest is not written either. */
  @Override
  public void addToManifest(Key context, Manifest report) {}
}
