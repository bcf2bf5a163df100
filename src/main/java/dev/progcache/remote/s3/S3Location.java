package dev.progcache.remote.s3;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where a cache lives in S3: bucket, key prefix, region, and optionally a non-AWS endpoint (MinIO,
 * R2, Ceph, GCS in S3 mode) with path-style access. Holds no credentials: those come from the AWS
 * SDK's default chain (environment, profile, web identity, container or instance role).
 *
 * <p>Immutable. Parsing touches no SDK class, so configuring S3 costs nothing until it is used.
 *
 * @param bucket the bucket name
 * @param prefix key prefix without leading or trailing slash; may be empty
 * @param region signing region
 * @param endpoint endpoint override, or null for AWS itself
 * @param pathStyle {@code http://endpoint/bucket/key} instead of {@code http://bucket.endpoint/key}
 */
public record S3Location(
    String bucket, String prefix, String region, @Nullable URI endpoint, boolean pathStyle) {
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]");

  /**
   * Parses {@code s3://bucket[/prefix]} and reads {@code PROGCACHE_S3_REGION} (else {@code
   * AWS_REGION}, else us-east-1), {@code PROGCACHE_S3_ENDPOINT} and {@code PROGCACHE_S3_PATH_STYLE}
   * (default: on when an endpoint is given).
   *
   * @param what how messages name the setting, e.g. "--s3 / PROGCACHE_S3"
   * @throws IllegalArgumentException with a message that says what is wrong and how it should look
   */
  public static S3Location parse(String url, Map<String, String> env, String what) {
    String s = url.strip();
    if (!s.toLowerCase(Locale.ROOT).startsWith("s3://")) {
      throw new IllegalArgumentException(
          what + " must look like s3://bucket or s3://bucket/prefix, got \"" + s + "\"");
    }
    String rest = s.substring("s3://".length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    while (prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    if (!BUCKET.matcher(bucket).matches()) {
      throw new IllegalArgumentException(
          what + ": \"" + bucket + "\" is not a valid bucket name (3-63 of a-z 0-9 . -)");
    }
    if (prefix.contains("//")
        || prefix.startsWith("/")
        || prefix.contains("?")
        || prefix.contains("#")) {
      throw new IllegalArgumentException(what + ": bad key prefix \"" + prefix + "\"");
    }
    String region = first(env, "PROGCACHE_S3_REGION", "AWS_REGION", "AWS_DEFAULT_REGION");
    if (region == null) {
      region = "us-east-1";
    }
    URI endpoint = null;
    String ep = env.get("PROGCACHE_S3_ENDPOINT");
    if (ep != null && !ep.isBlank()) {
      try {
        endpoint = URI.create(ep.strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("PROGCACHE_S3_ENDPOINT is not a URL: " + e.getMessage());
      }
      String scheme =
          endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || endpoint.getHost() == null) {
        throw new IllegalArgumentException(
            "PROGCACHE_S3_ENDPOINT must look like http(s)://host[:port], got \""
                + ep.strip()
                + "\"");
      }
      if (endpoint.getRawUserInfo() != null) {
        throw new IllegalArgumentException(
            "PROGCACHE_S3_ENDPOINT must not carry credentials; use the AWS environment or profile");
      }
    }
    boolean pathStyle = endpoint != null;
    String ps = env.get("PROGCACHE_S3_PATH_STYLE");
    if (ps != null && !ps.isBlank()) {
      pathStyle =
          switch (ps.strip().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            case "0", "false", "no", "off" -> false;
            default ->
                throw new IllegalArgumentException(
                    "PROGCACHE_S3_PATH_STYLE=" + ps + ": expected 1/true/yes/on or 0/false/no/off");
          };
    }
    return new S3Location(bucket, prefix, region.strip(), endpoint, pathStyle);
  }

  private static @Nullable String first(Map<String, String> env, String... keys) {
    for (String k : keys) {
      String v = env.get(k);
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  /** The object key of an action's entry: {@code <prefix>/a/<action hex>}. */
  String actionKey(String actionHex) {
    return (prefix.isEmpty() ? "" : prefix + "/") + "a/" + actionHex;
  }

  /** The key prefix of a build context's manifest shards: {@code <prefix>/m/<context hex>/}. */
  String manifestDir(String contextHex) {
    return (prefix.isEmpty() ? "" : prefix + "/") + "m/" + contextHex + "/";
  }

  /** How messages name this location: {@code s3://bucket/prefix}, plus the endpoint if any. */
  public String describe() {
    String u = "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    return endpoint == null ? u : u + " at " + endpoint;
  }
}
