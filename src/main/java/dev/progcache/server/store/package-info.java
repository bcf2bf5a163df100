/**
 * Where objects live on the server: one {@link dev.progcache.server.store.ServerStore} per
 * namespace ({@link dev.progcache.server.store.Namespaces}), each with what stands behind it (a
 * bucket or an upstream server, {@link dev.progcache.server.store.NextTier}), and the stored
 * manifests.
 */
@NullMarked
package dev.progcache.server.store;

import org.jspecify.annotations.NullMarked;
