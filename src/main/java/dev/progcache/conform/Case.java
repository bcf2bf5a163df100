package dev.progcache.conform;

/**
 * One conformance case: a name, whether a helper must pass it, and the check, which returns a short
 * detail on success and throws (a {@link CaseFailure} or any other exception) on failure.
 */
record Case(String name, boolean required, Body body) {
  @FunctionalInterface
  interface Body {
    String run(Target t) throws Exception;
  }

  static Case required(String name, Body body) {
    return new Case(name, true, body);
  }

  static Case optional(String name, Body body) {
    return new Case(name, false, body);
  }
}
