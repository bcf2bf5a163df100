/** Command line: the helper's entry point and the subcommands. */
@NullMarked
package dev.progcache.cli;

import org.jspecify.annotations.NullMarked;
