package dev.progcache.client;

import dev.progcache.cache.Entry;
import java.nio.file.Path;
import java.util.Optional;

/** What a get came to: a usable hit, or a miss with the reason. */
public sealed interface GetResult {
  /** The entry of a hit; empty for a miss. */
  Optional<Entry> asEntry();

  /** A hit: the entry and the file that holds its output bytes. */
  record Hit(Entry entry, Path diskPath) implements GetResult {
    @Override
    public Optional<Entry> asEntry() {
      return Optional.of(entry);
    }
  }

  /**
   * A miss. {@code reason} is {@link #PLAIN} when the helper said {@code Miss}; otherwise it says
   * why an answer that looked like a hit cannot be used (no DiskPath, an OutputID that is not 32
   * bytes, ...), as go treats those as misses too.
   */
  record Miss(String reason) implements GetResult {
    /** The reason of an ordinary miss. */
    public static final String PLAIN = "miss";

    @Override
    public Optional<Entry> asEntry() {
      return Optional.empty();
    }

    /** True when the helper answered {@code Miss} rather than a broken hit. */
    public boolean plain() {
      return reason.equals(PLAIN);
    }
  }
}
