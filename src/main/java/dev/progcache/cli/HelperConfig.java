package dev.progcache.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The helper's settings, from flags (first) and {@code PROGCACHE_*} environment variables.
 *
 * @param dir the cache directory; null means "go's cache dir + /progcache", resolved later
 * @param flags the flags as given, to pass on to a helper started by {@code exec}
 */
record HelperConfig(@Nullable Path dir, boolean verbose, List<String> flags) {
  static final String USAGE =
      """
      helper flags:
        --dir DIR       cache directory (env PROGCACHE_DIR; default $GOCACHE/progcache)
        --remote URL    shared cache server, http(s)://host:port (env PROGCACHE_REMOTE; token in
                        env PROGCACHE_TOKEN or a file named by PROGCACHE_TOKEN_FILE)
        --s3 s3://BUCKET[/PREFIX]
                        shared cache in an S3-compatible bucket (env PROGCACHE_S3; region in
                        PROGCACHE_S3_REGION, non-AWS endpoint in PROGCACHE_S3_ENDPOINT, path-style
                        in PROGCACHE_S3_PATH_STYLE; credentials from the AWS default chain)
        --read-only     read the shared cache but never upload to it (env PROGCACHE_READ_ONLY=1)
        -v, --verbose   print a summary line on stderr when the session ends (env PROGCACHE_VERBOSE=1)
      """;

  /**
   * Parses helper flags; stops at the first argument that is not one and returns the rest through
   * {@code rest}.
   */
  static HelperConfig parse(List<String> args, Map<String, String> env, List<String> rest)
      throws ConfigException {
    String dir = env.get("PROGCACHE_DIR");
    boolean verbose = truthy("PROGCACHE_VERBOSE", env.get("PROGCACHE_VERBOSE"));
    List<String> flags = new ArrayList<>();
    int i = 0;
    for (; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("-v") || a.equals("--verbose")) {
        verbose = true;
        flags.add(a);
      } else if (a.equals("--dir") || a.equals("-dir")) {
        if (i + 1 >= args.size()) {
          throw new ConfigException("--dir needs a directory argument");
        }
        dir = args.get(++i);
        flags.add("--dir");
        flags.add(dir);
      } else if (a.startsWith("--dir=")) {
        dir = a.substring("--dir=".length());
        flags.add(a);
      } else if (a.equals("--read-only")) {
        flags.add(a);
      } else if (a.equals("--s3") || a.startsWith("--s3=")) {
        // kept in flags; RemoteSettings reads it from there
        if (a.equals("--s3")) {
          if (i + 1 >= args.size()) {
            throw new ConfigException("--s3 needs an s3://bucket[/prefix] argument");
          }
          flags.add("--s3=" + args.get(++i));
        } else {
          flags.add(a);
        }
      } else if (a.equals("--remote") || a.startsWith("--remote=")) {
        // kept in flags; RemoteSettings reads it from there
        if (a.equals("--remote")) {
          if (i + 1 >= args.size()) {
            throw new ConfigException("--remote needs a URL argument");
          }
          flags.add("--remote=" + args.get(++i));
        } else {
          flags.add(a);
        }
      } else if (a.startsWith("-") && !a.equals("--")) {
        throw new ConfigException("unknown flag " + a + "\n" + USAGE);
      } else {
        break;
      }
    }
    rest.addAll(args.subList(i, args.size()));
    Path p = null;
    if (dir != null) {
      if (dir.isEmpty()) {
        throw new ConfigException("the cache directory (--dir / PROGCACHE_DIR) is empty");
      }
      p = Path.of(dir).toAbsolutePath().normalize();
    }
    return new HelperConfig(p, verbose, List.copyOf(flags));
  }

  /** The cache directory: the configured one, or {@code <go's cache>/progcache}. */
  Path resolveDir(Map<String, String> env) throws ConfigException {
    return dir != null ? dir : new GoEnv(env).goCache().resolve("progcache");
  }

  static boolean truthy(String key, @Nullable String v) throws ConfigException {
    if (v == null || v.isEmpty()) {
      return false;
    }
    return switch (v.toLowerCase(java.util.Locale.ROOT)) {
      case "1", "true", "yes", "on" -> true;
      case "0", "false", "no", "off" -> false;
      default -> throw new ConfigException(key + "=" + v + ": expected 1/true/yes/on or 0/false/no/off");
    };
  }
}
