/**
 * The S3 tier: a shared cache in any S3-compatible bucket, through the AWS SDK v2 with the JDK's
 * URL connection client.
 *
 * <p>Object layout: {@code <prefix>/a/<action hex>} holds the output body itself, with the output
 * id and size in user metadata ({@code x-amz-meta-progcache-output-id}, {@code
 * x-amz-meta-progcache-size}): one GET per hit, one PUT per upload, atomic visibility. Bodies
 * shared by several actions are stored once per action. See docs/adr/0004-s3-layout.md.
 */
@NullMarked
package dev.progcache.remote.s3;

import org.jspecify.annotations.NullMarked;
