/**
 * The formats the helper, the server, the edge and the S3 layout all speak: request paths and
 * headers ({@link dev.progcache.wire.Paths}, {@link dev.progcache.wire.Headers}), prefetch id lists
 * and batch frames ({@link dev.progcache.wire.BatchFrames}), manifests ({@link
 * dev.progcache.wire.Manifest}) and exact-length bodies ({@link dev.progcache.wire.ExactBody}).
 * Depends on nothing but {@code cache}; both sides import it, neither imports the other to speak a
 * format.
 */
@NullMarked
package dev.progcache.wire;

import org.jspecify.annotations.NullMarked;
