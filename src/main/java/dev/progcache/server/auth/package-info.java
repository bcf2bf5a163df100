/**
 * Who may do what: bearer tokens from the tokens file ({@link dev.progcache.server.auth.Tokens}),
 * OIDC id-tokens checked against an issuer's keys and mapped to namespaces by claim rules, and the
 * {@code progcache token} command.
 */
@NullMarked
package dev.progcache.server.auth;

import org.jspecify.annotations.NullMarked;
