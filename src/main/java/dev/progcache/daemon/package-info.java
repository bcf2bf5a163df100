/**
 * Daemon mode: a resident JVM serving many go commands through the native relay
 * (src/main/c/progcache-relay.c) over a Unix socket, one protocol session per connection. The
 * session's requests and answers go over go's own pipes, which the daemon opens ({@link GoPipes});
 * the socket carries the hello and marks the session's end (ADR 0025).
 */
@NullMarked
package dev.progcache.daemon;

import org.jspecify.annotations.NullMarked;
