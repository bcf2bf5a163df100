/**
 * {@code progcache conform}: a conformance and benchmark run against any GOCACHEPROG helper,
 * through {@link dev.progcache.client.ProgClient} and raw pipes.
 */
@NullMarked
package dev.progcache.conform;

import org.jspecify.annotations.NullMarked;
