package dev.progcache.remote;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A remote tier's answer that is not a plain success or miss, classified once so that decorators
 * can react: a denial turns a direction off, throttling pauses the tier, a too-large object is
 * skipped, anything else counts as a failure.
 */
public final class RemoteException extends IOException {
  /** What went wrong, as far as the caller needs to know. */
  public enum Kind {
    /** 401 from a server: it does not accept these credentials at all; reads and writes off. */
    UNAUTHENTICATED,
    /** 403 (or S3's 401/403) on a read: this client may not read. */
    DENIED_READ,
    /** 403 (or S3's 401/403) on a write: this client may not write. */
    DENIED_WRITE,
    /** No credentials could be had (an id-token fetch failed): the tier is off for the session. */
    NO_CREDENTIALS,
    /** 413: the remote does not take objects this big; not the remote's fault. */
    TOO_LARGE,
    /** 429 (or 503/507 with Retry-After): back off for a while. */
    THROTTLED,
    /** Anything else: 5xx, bad answers, refused redirects, lying bodies. */
    FAILED
  }

  private final Kind kind;
  private final @Nullable Duration retryAfter;

  public RemoteException(Kind kind, String message) {
    this(kind, message, null);
  }

  public RemoteException(Kind kind, String message, @Nullable Duration retryAfter) {
    super(message);
    this.kind = kind;
    this.retryAfter = retryAfter;
  }

  public Kind kind() {
    return kind;
  }

  /** How long the remote asked us to wait, when it said. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
