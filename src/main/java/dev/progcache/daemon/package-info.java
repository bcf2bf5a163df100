/**
 * Daemon mode: a resident JVM serving many go commands through the native relay
 * (src/main/c/progcache-relay.c) over a Unix socket, one protocol session per connection.
 */
@NullMarked
package dev.progcache.daemon;

import org.jspecify.annotations.NullMarked;
