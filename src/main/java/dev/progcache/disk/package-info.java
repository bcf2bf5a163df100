/**
 * The local disk tier.
 *
 * <p>Layout of a cache directory (default {@code $GOCACHE/progcache}):
 *
 * <pre>
 *   a/&lt;xx&gt;/&lt;action hex&gt;   action record, one fixed-length line (see Record)
 *   o/&lt;xx&gt;/&lt;output hex&gt;   body; its name is the sha256 of its bytes
 *   .../.tmp-&lt;random&gt;       a write in progress (or left by a crash; never read)
 * </pre>
 *
 * <p>{@code xx} is the first two hex digits of the name. Bodies are what go reads through
 * DiskPath; they are replaced only by rename, never rewritten, so a go process holding one open
 * keeps valid bytes. A body's mtime is its last use (refreshed at most hourly).
 */
@NullMarked
package dev.progcache.disk;

import org.jspecify.annotations.NullMarked;
