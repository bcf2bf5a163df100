/**
 * The server's HTTP face: {@link dev.progcache.server.http.CacheHandler} parses a request's route
 * once and dispatches it to the object, prefetch and metrics endpoints; bodies, lz4 framing,
 * deadlines and the access log.
 */
@NullMarked
package dev.progcache.server.http;

import org.jspecify.annotations.NullMarked;
