package dev.progcache.server.auth;

import dev.progcache.server.ServeException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * How {@code serve} accepts OIDC id-tokens (for example GitHub Actions' ones) as bearer tokens.
 * Immutable; built by {@link #of}, which checks every value.
 *
 * @param issuer the exact {@code iss} accepted, also where the keys are discovered ({@code
 *     <issuer>/.well-known/openid-configuration})
 * @param audience the value {@code aud} must contain
 * @param jwks the key set's URL, or null to discover it from the issuer
 * @param rules the claim rules file (see {@link ClaimRules})
 * @param clockSkew tolerance on {@code exp}, {@code nbf} and {@code iat}
 * @param fetchTimeout limit on each discovery or key set request (connect and answer)
 * @param refetchInterval at least this long between two key set requests
 */
public record OidcSettings(
    String issuer,
    String audience,
    @Nullable URI jwks,
    Path rules,
    Duration clockSkew,
    Duration fetchTimeout,
    Duration refetchInterval) {
  public static final Duration DEFAULT_SKEW = Duration.ofSeconds(60);
  static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REFETCH_INTERVAL = Duration.ofSeconds(10);

  /**
   * Checks and combines the {@code --oidc-*} values; null when none is given.
   *
   * @throws ServeException naming the flag, the value and what to give instead
   */
  public static @Nullable OidcSettings of(
      @Nullable String issuer,
      @Nullable String audience,
      @Nullable String jwks,
      @Nullable String rules,
      Duration skew)
      throws ServeException {
    boolean any = given(audience) || given(jwks) || given(rules);
    if (!given(issuer)) {
      if (any) {
        throw new ServeException(
            "--oidc-audience, --oidc-rules and --oidc-jwks need --oidc-issuer URL (for GitHub"
                + " Actions: https://token.actions.githubusercontent.com)");
      }
      return null;
    }
    String iss = issuer.strip();
    URI u = url("--oidc-issuer", iss);
    if (!given(audience)) {
      throw new ServeException(
          "--oidc-issuer needs --oidc-audience AUD: the audience CI jobs ask their tokens for"
              + " (a name of this server, such as progcache.example.com)");
    }
    if (!given(rules)) {
      throw new ServeException(
          "--oidc-issuer needs --oidc-rules FILE: which tokens get which grants and namespaces"
              + " (see docs/remote.md)");
    }
    URI k = given(jwks) ? url("--oidc-jwks", jwks.strip()) : null;
    if (skew.isNegative() || skew.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new ServeException("--oidc-clock-skew must be between 0s and 10m");
    }
    if (u.getRawPath() != null && u.getRawPath().endsWith("/.well-known/openid-configuration")) {
      throw new ServeException(
          "--oidc-issuer " + iss + ": give the issuer itself, without /.well-known/...");
    }
    return new OidcSettings(
        iss, audience.strip(), k, Path.of(rules.strip()), skew, FETCH_TIMEOUT, REFETCH_INTERVAL);
  }

  /** This with other fetch limits (tests shorten them). */
  public OidcSettings withFetch(Duration timeout, Duration interval) {
    return new OidcSettings(issuer, audience, jwks, rules, clockSkew, timeout, interval);
  }

  /** Where the issuer's metadata is: {@code <issuer>/.well-known/openid-configuration}. */
  URI discovery() {
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    return URI.create(base + "/.well-known/openid-configuration");
  }

  private static boolean given(@Nullable String s) {
    return s != null && !s.isBlank();
  }

  /** An https URL, or http on a loopback address (a test issuer); no credentials or query. */
  private static URI url(String flag, String v) throws ServeException {
    URI u;
    try {
      u = URI.create(v);
    } catch (IllegalArgumentException e) {
      throw new ServeException(flag + " " + v + ": not a URL");
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (u.getHost() == null || !scheme.equals("https") && !scheme.equals("http")) {
      throw new ServeException(flag + " " + v + ": expected https://host[/path]");
    }
    if (scheme.equals("http") && !loopback(u.getHost())) {
      throw new ServeException(
          flag + " " + v + ": keys must be fetched over https (http only on a loopback address)");
    }
    if (u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
      throw new ServeException(flag + " " + v + ": no user info, query or fragment");
    }
    return u;
  }

  private static boolean loopback(String host) {
    try {
      return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
