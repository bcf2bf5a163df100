package dev.progcache.server.status;

import org.jspecify.annotations.Nullable;

/**
 * The sign-in form shown to a browser without a session where reading the status needs a token: one
 * password field and a button, posting to {@code signin}; nothing of the server's figures.
 * Stateless and thread-safe.
 */
final class SignInPage {
  private static final String CSS =
      "body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1a202c}"
          + "main{max-width:26rem;margin:12vh auto;background:#fff;border:1px solid #d8dde6;"
          + "border-radius:8px;padding:1.5rem 1.75rem}h1{font-size:1.25rem;margin:0 0 .75rem}"
          + "label{display:block;margin:.75rem 0 .25rem}input{width:100%;box-sizing:border-box;"
          + "padding:.5rem;font:inherit;border:1px solid #b8c0cc;border-radius:4px}"
          + "button{margin-top:1rem;padding:.5rem 1.25rem;font:inherit;border:0;border-radius:4px;"
          + "background:#2b6cb0;color:#fff;cursor:pointer}.error{color:#c53030}.note{color:#5a6474;"
          + "font-size:.85rem}";

  private SignInPage() {}

  /** The form, with {@code message} (why the last try failed) above it when not null. */
  static String render(@Nullable String message) {
    StringBuilder b = new StringBuilder(2048);
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<link rel=\"icon\" href=\"data:,\">")
        .append("<title>progcache: sign in</title><style>")
        .append(CSS)
        .append("</style></head><body>\n")
        .append(
            "<main><h1>progcache status</h1><p>Sign in with a token that may read the cache to see")
        .append(" its status.</p>");
    if (message != null) {
      b.append("<p class=\"error\" id=\"sign-in-error\">")
          .append(StatusPage.escape(message))
          .append("</p>");
    }
    b.append("<form method=\"post\" action=\"signin\" id=\"sign-in\">")
        .append("<label for=\"token\">Token</label>")
        .append(
            "<input type=\"password\" id=\"token\" name=\"token\" autocomplete=\"current-password\" required>")
        .append("<button type=\"submit\">Sign in</button></form>")
        .append("<p class=\"note\">The browser keeps a session cookie, not the token, for ")
        .append(StatusSession.TTL_HOURS)
        .append(" hours or until you sign out.</p></main></body></html>\n");
    return b.toString();
  }
}
