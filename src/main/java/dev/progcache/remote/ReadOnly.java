package dev.progcache.remote;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.wire.Manifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A shared tier that is only read: gets go through, puts are skipped (and counted), so a build that
 * must not publish (a pull request, an untrusted branch) still benefits from the cache. The local
 * disk still takes every put, and go is still told the helper can put.
 *
 * <p>Thread-safe if the delegate is. {@link #put} never throws.
 */
public final class ReadOnly implements RemoteTier {
  /** Counter of uploads skipped because the tier is read-only. */
  public static final RemoteCounter SKIPPED = RemoteCounter.UPLOAD_READ_ONLY;

  private final RemoteTier delegate;
  private final RemoteLog log;

  public ReadOnly(RemoteTier delegate, RemoteLog log) {
    this.delegate = delegate;
    this.log = log;
  }

  @Override
  public Optional<Hit> get(Key action, ObjectSink sink) throws IOException {
    return delegate.get(action, sink);
  }

  @Override
  public void put(Key action, Key output, long size, Path body) {
    log.count(SKIPPED, 1);
  }

  @Override
  public void getMany(List<Key> actions, BatchSink sink) throws IOException {
    delegate.getMany(actions, sink);
  }

  @Override
  public Optional<Manifest> manifest(Key context) throws IOException {
    return delegate.manifest(context);
  }

  /** Read-only: the manifest is not written either. */
  @Override
  public void addToManifest(Key context, Manifest report) {}

  @Override
  public String credentialsHint() {
    return delegate.credentialsHint();
  }

  @Override
  public void warmUp() {
    delegate.warmUp();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
