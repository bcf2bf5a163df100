/**
 * The go command's side of GOCACHEPROG: {@link dev.progcache.client.ProgClient} starts a helper and
 * talks to it as go does.
 */
@NullMarked
package dev.progcache.client;

import org.jspecify.annotations.NullMarked;
