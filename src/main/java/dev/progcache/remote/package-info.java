/**
 * Shared tiers behind the local disk: the {@link dev.progcache.remote.RemoteTier} contract, the
 * {@link dev.progcache.remote.BestEffort} decorator (deadlines, circuit breaker, negative cache,
 * denials) and the bounded write-behind {@link dev.progcache.remote.Uploader}.
 */
@NullMarked
package dev.progcache.remote;

import org.jspecify.annotations.NullMarked;
