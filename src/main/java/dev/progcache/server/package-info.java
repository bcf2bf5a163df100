/**
 * {@code progcache serve}: the shared cache server. Speaks the gocached / go-cacher-server HTTP
 * protocol (see {@link dev.progcache.server.http.CacheHandler}) on Jetty, stores entries in the
 * disk layout of {@link dev.progcache.disk.DiskStore} with size-limited LRU eviction, and checks
 * bearer tokens. Never loaded on the GOCACHEPROG path.
 */
@NullMarked
package dev.progcache.server;

import org.jspecify.annotations.NullMarked;
