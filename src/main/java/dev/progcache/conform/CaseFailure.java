package dev.progcache.conform;

/** A conformance case found the helper wrong; the message says how. */
final class CaseFailure extends Exception {
  CaseFailure(String message) {
    super(message);
  }

  /** Fails with {@code message} unless {@code ok}. */
  static void check(boolean ok, String message) throws CaseFailure {
    if (!ok) {
      throw new CaseFailure(message);
    }
  }
}
