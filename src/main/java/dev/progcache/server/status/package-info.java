/**
 * The status page, its JSON, charts, history and sign-in: what a person sees at {@code /} and
 * {@code /status.json}.
 */
@NullMarked
package dev.progcache.server.status;

import org.jspecify.annotations.NullMarked;
