package dev.progcache.cache;

/**
 * What a cache knows about one action: the output it produced, that output's size, and when the
 * entry was stored (Unix time in nanoseconds; go compares it with {@code go clean -testcache}).
 */
public record Entry(Key outputId, long size, long timeNanos) {
  public Entry {
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
  }
}
