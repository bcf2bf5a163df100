/** Cache model: keys, entries, hits, the {@link dev.progcache.cache.BuildCache} contract, stats. */
@NullMarked
package dev.progcache.cache;

import org.jspecify.annotations.NullMarked;
