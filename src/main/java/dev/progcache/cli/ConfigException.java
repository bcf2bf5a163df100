package dev.progcache.cli;

/** A configuration value that cannot be used; the message names it and says what to do. */
final class ConfigException extends Exception {
  ConfigException(String message) {
    super(message);
  }
}
