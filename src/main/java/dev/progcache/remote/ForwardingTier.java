package dev.progcache.remote;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.wire.Manifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A decorator's base: every call goes to the delegate. A decorator overrides only what it changes
 * ({@link ReadOnly} and {@link WriteGrant}: the writes).
 */
abstract class ForwardingTier implements RemoteTier {
  protected final RemoteTier delegate;

  protected ForwardingTier(RemoteTier delegate) {
    this.delegate = delegate;
  }

  @Override
  public Optional<Hit> get(Key action, ObjectSink sink) throws IOException {
    return delegate.get(action, sink);
  }

  @Override
  public void put(Key action, Key output, long size, Path body) throws IOException {
    delegate.put(action, output, size, body);
  }

  @Override
  public void getMany(List<Key> actions, BatchSink sink) throws IOException {
    delegate.getMany(actions, sink);
  }

  @Override
  public Optional<Manifest> manifest(Key context) throws IOException {
    return delegate.manifest(context);
  }

  @Override
  public void addToManifest(Key context, Manifest report) throws IOException {
    delegate.addToManifest(context, report);
  }

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
