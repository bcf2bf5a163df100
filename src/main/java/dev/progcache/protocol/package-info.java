/** The GOCACHEPROG wire format: requests from go, answers to go. */
@NullMarked
package dev.progcache.protocol;

import org.jspecify.annotations.NullMarked;
