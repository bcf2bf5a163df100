package dev.progcache.server.auth;

import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Who a request is, from its {@code Authorization} header: a bearer value shaped like a JWT goes to
 * the OIDC verifier when one is configured, anything else to the tokens file (see {@link Tokens}).
 * A failed JWT is 401 and never falls back to anonymous access; a JWT that verifies but matches no
 * rule is 403. With OIDC but no tokens file, only JWTs (and requests without a header, when
 * anonymous access is on) are accepted.
 *
 * <p>Thread-safe; may block while the issuer's keys are fetched (bounded by their timeout).
 */
public final class Authenticator {
  /** A principal, or the status to answer (401 or 403) and a reason safe to show. */
  public record Outcome(Tokens.@Nullable Principal principal, int status, String reason) {
    static Outcome of(Optional<Tokens.Principal> p) {
      return p.map(x -> new Outcome(x, 200, "token"))
          .orElseGet(() -> new Outcome(null, 401, "missing or unknown token"));
    }
  }

  private final Supplier<Tokens> tokens;
  private final boolean tokensFile;
  private final @Nullable OidcVerifier oidc;

  /**
   * @param tokens the current tokens (and anonymous principal)
   * @param tokensFile whether a tokens file is configured
   * @param oidc the verifier of OIDC tokens, or null when they are not accepted
   */
  public Authenticator(Supplier<Tokens> tokens, boolean tokensFile, @Nullable OidcVerifier oidc) {
    this.tokens = tokens;
    this.tokensFile = tokensFile;
    this.oidc = oidc;
  }

  /** Whether checking {@code authorization} may wait for the network (an OIDC token). */
  public boolean mayBlock(@Nullable String authorization) {
    return oidc != null
        && authorization != null
        && authorization.length() > 7
        && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        && OidcVerifier.looksLikeJwt(authorization.substring(7).strip());
  }

  public Outcome check(@Nullable String authorization) {
    Tokens t = tokens.get();
    if (authorization == null || authorization.isBlank() || oidc == null) {
      return Outcome.of(t.check(authorization));
    }
    if (authorization.length() < 7 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Outcome.of(Optional.empty());
    }
    String bearer = authorization.substring(7).strip();
    if (OidcVerifier.looksLikeJwt(bearer)) {
      OidcVerifier.Result r = oidc.verify(bearer, t::holds);
      return new Outcome(r.principal(), r.status(), r.reason());
    }
    return tokensFile ? Outcome.of(t.check(authorization)) : Outcome.of(Optional.empty());
  }
}
