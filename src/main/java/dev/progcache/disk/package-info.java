/**
 * The local disk tier.
 *
 * <p>Layout of a cache directory (default {@code $GOCACHE/progcache}):
 *
 * <pre>
 *   a/&lt;xx&gt;/&lt;action hex&gt;   action record, one fixed-length line (see Record)
 *   o/&lt;xx&gt;/&lt;output hex&gt;   body; its name is the sha256 of its bytes
 *   p/&lt;16 hex&gt;.pack          many action records, concatenated (see Packs): what a prefetch writes
 *   .../.tmp-&lt;random&gt;       a write in progress (or left by a crash; never read)
 *   trim.txt                   age reference of the last trim, Unix seconds (see Trimmer)
 *   trim.lock                  locked while a trim runs
 *   sessions.log               counters of recent helper sessions (see SessionLog)
 * </pre>
 *
 * <p>{@code xx} is the first two hex digits of the name. Bodies are what go reads through DiskPath;
 * they are replaced only by rename, never rewritten, so a go process holding one open keeps valid
 * bytes. A body's mtime is its last use (refreshed at most hourly). {@link
 * dev.progcache.disk.Trimmer} removes bodies by age and total size, never one used within the last
 * two hours.
 */
@NullMarked
package dev.progcache.disk;

import org.jspecify.annotations.NullMarked;
