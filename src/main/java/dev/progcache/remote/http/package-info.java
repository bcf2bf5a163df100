/**
 * The HTTP remote tier: the gocached / go-cacher-server protocol (single-roundtrip {@code
 * Want-Object} GET, the older two-hop JSON form, lz4 frame responses, exact-length PUTs).
 */
@NullMarked
package dev.progcache.remote.http;

import org.jspecify.annotations.NullMarked;
