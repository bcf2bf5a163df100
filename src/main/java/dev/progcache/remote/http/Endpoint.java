package dev.progcache.remote.http;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How a cache server's address and token are given, for every client of one (the helper's {@code
 * --remote}, an edge server's {@code --upstream}): an {@code http(s)://host[:port][/prefix]} URL
 * without credentials, query or fragment, and a bearer token from an environment variable or a
 * file, never from a command line. Messages never contain the token.
 */
public final class Endpoint {
  private Endpoint() {}

  /**
   * Parses and checks a server URL.
   *
   * @param what how messages name the setting ({@code --remote / PROGCACHE_REMOTE})
   * @param tokenWhere where the token goes instead of the URL, for the message about user info
   * @throws IllegalArgumentException saying what is wrong with the URL
   */
  public static URI parse(String s, String what, String tokenWhere) {
    URI u;
    try {
      u = URI.create(s.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not a URL: " + e.getMessage(), e);
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    String shown = s.strip().replaceAll("(^|//)[^/@]*@", "$1<set>@");
    boolean noScheme = scheme.isEmpty() || u.getRawSchemeSpecificPart().matches("[0-9]+(/.*)?");
    if (noScheme) {
      throw new IllegalArgumentException(
          what + " \"" + shown + "\" has no scheme; write http://" + shown + " (or https://)");
    }
    if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
      throw new IllegalArgumentException(
          what + " must look like http://host:port or https://host, got \"" + shown + "\"");
    }
    if (u.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          what + " must not carry credentials; put the token in " + tokenWhere);
    }
    if (u.getRawQuery() != null || u.getRawFragment() != null) {
      throw new IllegalArgumentException(what + " must not have a query or fragment");
    }
    return u;
  }

  /**
   * The token: {@code value} (from an environment variable) when not blank, else the content of
   * {@code file} when given, else null.
   *
   * @param fileWhat how messages name the file's setting
   * @throws IllegalArgumentException when the file cannot be read or is empty
   */
  public static @Nullable String token(
      @Nullable String value, Optional<Path> file, String fileWhat) {
    if (value != null && !value.isBlank()) {
      return value.strip();
    }
    if (file.isEmpty()) {
      return null;
    }
    try {
      String s = Files.readString(file.get(), StandardCharsets.UTF_8).strip();
      if (s.isEmpty()) {
        throw new IllegalArgumentException(fileWhat + " " + file.get() + " is empty");
      }
      return s;
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalArgumentException(
          "cannot read " + fileWhat + " " + file.get() + ": no such file", e);
    } catch (java.nio.file.AccessDeniedException e) {
      throw new IllegalArgumentException(
          "cannot read " + fileWhat + " " + file.get() + ": permission denied", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read " + fileWhat + " " + file.get() + ": " + e.getMessage(), e);
    }
  }
}
