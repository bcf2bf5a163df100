/** The GOCACHEPROG helper's session loop. */
@NullMarked
package dev.progcache.prog;

import org.jspecify.annotations.NullMarked;
