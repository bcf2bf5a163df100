/**
 * The module proxy of {@code progcache serve --modproxy}: go's GOPROXY protocol and its checksum
 * database under {@code /mod/}, reading through to upstream proxies, keeping every versioned file
 * and tile (immutable) in the server's store and the last good list and lookup answers. Plugged in
 * front of the cache handler by {@link dev.progcache.modproxy.ModProxy#handler}.
 */
@NullMarked
package dev.progcache.modproxy;

import org.jspecify.annotations.NullMarked;
