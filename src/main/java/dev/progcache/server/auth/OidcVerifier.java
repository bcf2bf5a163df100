package dev.progcache.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import java.io.PrintStream;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Turns an OIDC id-token into a {@link Tokens.Principal}: the signature must be RS256 or ES256 by a
 * key of the issuer's key set ({@link Jwks}), {@code iss} must equal the configured issuer, {@code
 * aud} contain the configured audience, and {@code exp}, {@code nbf} and {@code iat} hold at the
 * injected clock within the clock skew; then {@link ClaimRules} decide the grants.
 *
 * <p>Answers say why a token was refused in a few fixed words, never quoting the token or its
 * claims. Thread-safe.
 */
public final class OidcVerifier implements AutoCloseable {
  /** The outcome for one token: a principal, or the HTTP status (401/403) and a reason. */
  record Result(Tokens.@Nullable Principal principal, int status, String reason) {
    static Result refused(String reason) {
      return new Result(null, 401, reason);
    }
  }

  private static final Set<JWSAlgorithm> ALLOWED = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
  private final OidcSettings settings;
  private final ClaimRules rules;
  private final Jwks jwks;
  private final Clock clock;
  private final LongAdder accepted = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder unmatched = new LongAdder();

  public OidcVerifier(OidcSettings settings, ClaimRules rules, Clock clock, PrintStream err) {
    this.settings = settings;
    this.rules = rules;
    this.clock = clock;
    this.jwks = new Jwks(settings, clock, err);
  }

  /** Whether {@code bearer} has the shape of a JWT (three base64url parts, a JSON header). */
  static boolean looksLikeJwt(String bearer) {
    return bearer.startsWith("eyJ") && bearer.chars().filter(c -> c == '.').count() == 2;
  }

  /** The keys, for tests and metrics. */
  public Jwks jwks() {
    return jwks;
  }

  /** Verifies {@code token} and applies the rules; counts the outcome. */
  Result verify(String token) {
    return verify(token, ns -> false);
  }

  /**
   * Verifies {@code token} and applies the rules; a templated namespace {@code held} says belongs
   * to a static token is refused (403). Counts the outcome.
   */
  Result verify(String token, java.util.function.Predicate<String> held) {
    Result r = check(token, held);
    (r.principal() != null ? accepted : r.status() == 403 ? unmatched : refused).increment();
    return r;
  }

  /** Tokens verified and granted since start (for metrics). */
  public long accepted() {
    return accepted.sum();
  }

  /** Tokens refused since start: not verified (401). */
  public long refused() {
    return refused.sum();
  }

  /** Tokens verified that no rule matched since start (403). */
  public long unmatched() {
    return unmatched.sum();
  }

  private Result check(String token, java.util.function.Predicate<String> held) {
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException e) {
      return Result.refused("malformed token");
    }
    if (!(jwt instanceof SignedJWT signed)) {
      return Result.refused("token is not signed (alg none or encrypted)");
    }
    JWSAlgorithm alg = signed.getHeader().getAlgorithm();
    if (!ALLOWED.contains(alg)) {
      return Result.refused("token algorithm not allowed (RS256, ES256)");
    }
    List<JWK> keys = jwks.find(signed.getHeader().getKeyID());
    if (keys.isEmpty()) {
      return Result.refused(
          jwks.loaded()
              ? "token signed by an unknown key"
              : "the issuer's signing keys are unavailable");
    }
    if (!keys.stream().anyMatch(k -> verifies(signed, alg, k))) {
      return Result.refused("bad token signature");
    }
    JWTClaimsSet claims;
    try {
      claims = signed.getJWTClaimsSet();
    } catch (ParseException e) {
      return Result.refused("malformed token claims");
    }
    Optional<String> bad = checkClaims(claims);
    if (bad.isPresent()) {
      return Result.refused(bad.get());
    }
    ClaimRules.Decision d = rules.decide(claims.getClaims(), held);
    return d.principal() == null
        ? new Result(null, 403, "token verified but " + d.reason())
        : new Result(d.principal(), 200, d.reason());
  }

  private Optional<String> checkClaims(JWTClaimsSet c) {
    if (!settings.issuer().equals(c.getIssuer())) {
      return Optional.of("token from another issuer");
    }
    List<String> aud = c.getAudience();
    if (aud == null || !aud.contains(settings.audience())) {
      return Optional.of("token for another audience");
    }
    Instant now = clock.instant();
    long skew = settings.clockSkew().toMillis();
    Date exp = c.getExpirationTime();
    if (exp == null) {
      return Optional.of("token without an expiry");
    }
    if (now.toEpochMilli() > exp.getTime() + skew) {
      return Optional.of("token expired");
    }
    Date nbf = c.getNotBeforeTime();
    if (nbf != null && now.toEpochMilli() < nbf.getTime() - skew) {
      return Optional.of("token not valid yet");
    }
    Date iat = c.getIssueTime();
    if (iat != null && now.toEpochMilli() < iat.getTime() - skew) {
      return Optional.of("token issued in the future");
    }
    return Optional.empty();
  }

  /** Whether {@code key} suits {@code alg} and verifies the signature. */
  private static boolean verifies(SignedJWT jwt, JWSAlgorithm alg, JWK key) {
    if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
      return false;
    }
    if (key.getAlgorithm() != null && !alg.equals(key.getAlgorithm())) {
      return false;
    }
    try {
      JWSVerifier v;
      if (alg.equals(JWSAlgorithm.RS256) && key instanceof RSAKey rsa && rsa.size() >= 2048) {
        v = new RSASSAVerifier(rsa);
      } else if (alg.equals(JWSAlgorithm.ES256)
          && key instanceof ECKey ec
          && Curve.P_256.equals(ec.getCurve())) {
        v = new ECDSAVerifier(ec);
      } else {
        return false;
      }
      return jwt.verify(v);
    } catch (JOSEException | IllegalStateException e) {
      return false;
    }
  }

  @Override
  public void close() {
    jwks.close();
  }
}
