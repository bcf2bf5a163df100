/**
 * The module proxy of {@code progcache serve --modproxy}: go's GOPROXY protocol and checksum
 * database pass-through under {@code /mod/}, reading through to upstream proxies and keeping every
 * versioned file (immutable) in the server's store. Plugged in front of the cache handler by {@link
 * dev.progcache.modproxy.ModProxy#handler}.
 */
@NullMarked
package dev.progcache.modproxy;

import org.jspecify.annotations.NullMarked;
