package dev.progcache.client;

import dev.progcache.cache.Key;

/**
 * The output of a put: sha256 of the body and its size, as computed by the client.
 *
 * @param stored false when the helper does not support put and nothing was sent
 */
public record PutResult(Key outputId, long size, boolean stored) {}
