package dev.progcache.wire;

/**
 * The header names and values of the cache protocol beyond plain HTTP. The prefetch headers of
 * manifests are in {@link BatchFrames}. Stateless.
 */
public final class Headers {
  /** Asks {@code GET action/<hex>} for the body in the same answer; value {@code 1}. */
  public static final String WANT_OBJECT = "Want-Object";

  /** The output id of a body answered to {@code GET action/<hex>} with {@link #WANT_OBJECT}. */
  public static final String OUTPUT_ID = "Go-Output-Id";

  /** The size of an lz4-framed body before compression. */
  public static final String UNCOMPRESSED_LENGTH = "X-Uncompressed-Length";

  /** The content coding of lz4-framed bodies (Accept-Encoding and Content-Encoding). */
  public static final String LZ4 = "lz4";

  private Headers() {}
}
