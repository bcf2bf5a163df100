package dev.progcache.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The layers of serve's settings below the command line: {@code PROGCACHE_SERVE_<FLAG>} variables
 * and the config file's {@code [serve]} table, turned into the flags they stand for and put before
 * the real ones, so that a later flag wins: flag > environment > file > default. Stateless.
 *
 * <p>Adding a serve flag: its name here (a value flag or a switch), its case in {@link
 * ServeConfig}'s parser and its line in {@link ServeConfig#USAGE}.
 */
final class ServeLayers {
  private ServeLayers() {}

  /** The flags that take a value; each is also {@code PROGCACHE_SERVE_<FLAG>} and a [serve] key. */
  static final List<String> VALUE_FLAGS =
      List.of(
          "listen",
          "dir",
          "tokens",
          "s3",
          "max-size",
          "max-object",
          "lz4-min",
          "max-ns-size",
          "max-requests",
          "max-namespaces",
          "oidc-issuer",
          "oidc-audience",
          "oidc-rules",
          "oidc-jwks",
          "oidc-clock-skew",
          "request-timeout",
          "upstream",
          "upstream-token-file",
          "upstream-timeout",
          "upstream-drain",
          "access-log",
          "metrics-listen",
          "modproxy",
          "max-module-size",
          "modproxy-list-ttl",
          "modproxy-netrc",
          "modproxy-header-file",
          "modproxy-rate");

  /** The switches; each is also {@code PROGCACHE_SERVE_<SWITCH>=true} and a [serve] key. */
  static final List<String> SWITCHES =
      List.of(
          "no-access-log",
          "access-log-probes",
          "insecure-anonymous",
          "anonymous-write",
          "upstream-read-only");

  /** File values, then environment values, then {@code args}, all as flags. */
  static List<String> asFlags(
      List<String> args, Map<String, String> env, Map<String, Map.Entry<String, String>> file)
      throws ServeException {
    List<String> all = new ArrayList<>();
    for (Map.Entry<String, Map.Entry<String, String>> e : file.entrySet()) {
      all.addAll(layer(e.getKey(), e.getValue().getKey(), e.getValue().getValue()));
    }
    for (String k : VALUE_FLAGS) {
      all.addAll(layer(k, env.get(envName(k)), envName(k)));
    }
    for (String k : SWITCHES) {
      all.addAll(layer(k, env.get(envName(k)), envName(k)));
    }
    all.addAll(args); // later wins: flags over environment over file
    return all;
  }

  /** The variable of a serve setting: {@code PROGCACHE_SERVE_MAX_SIZE} for {@code max-size}. */
  static String envName(String key) {
    return "PROGCACHE_SERVE_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** A setting given outside the command line, as the flags it stands for. */
  private static List<String> layer(String key, @Nullable String value, String origin)
      throws ServeException {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    if (VALUE_FLAGS.contains(key)) {
      return List.of("--" + key + "=" + value);
    }
    if (SWITCHES.contains(key)) {
      return switch (value.strip().toLowerCase(Locale.ROOT)) {
        case "true", "1", "yes", "on" -> List.of("--" + key);
        case "false", "0", "no", "off" -> List.of();
        default ->
            throw new ServeException(
                origin + ": " + key + " is true or false, not \"" + value + "\"");
      };
    }
    throw new ServeException(
        origin + ": unknown server setting " + key + " (progcache serve --help lists them)");
  }
}
