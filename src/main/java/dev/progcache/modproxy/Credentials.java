package dev.progcache.modproxy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What the server sends an upstream proxy to be let in: a bearer token (an edge server's token for
 * its central server), basic credentials from a netrc file for the upstream's host, and headers
 * read from a file ({@code Name: value}, one a line). Values never appear in messages.
 *
 * <p>Immutable and thread-safe.
 */
final class Credentials {
  private record Machine(@Nullable String host, String login, String password) {}

  private record Header(String name, String value) {}

  static final Credentials NONE = new Credentials(List.of(), List.of());

  private final List<Machine> machines;
  private final List<Header> headers;

  private Credentials(List<Machine> machines, List<Header> headers) {
    this.machines = machines;
    this.headers = headers;
  }

  /**
   * Reads the netrc file and the header file, either of which may be null.
   *
   * @throws IOException naming the file and line that cannot be used, never a secret
   */
  static Credentials load(@Nullable Path netrc, @Nullable Path headerFile) throws IOException {
    List<Machine> m = netrc == null ? List.of() : netrc(netrc);
    List<Header> h = new ArrayList<>();
    if (headerFile != null) {
      List<String> lines = Files.readAllLines(headerFile, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        String l = lines.get(i).strip();
        if (l.isEmpty() || l.startsWith("#")) {
          continue;
        }
        int colon = l.indexOf(':');
        if (colon <= 0 || !l.substring(0, colon).matches("[A-Za-z0-9-]+")) {
          throw new IOException(
              headerFile
                  + " line "
                  + (i + 1)
                  + ": expected \"Name: value\" (e.g. Authorization: Bearer ...)");
        }
        h.add(new Header(l.substring(0, colon), l.substring(colon + 1).strip()));
      }
    }
    return new Credentials(List.copyOf(m), List.copyOf(h));
  }

  /** These credentials plus {@code Authorization: Bearer token} (an edge's upstream token). */
  Credentials withBearer(@Nullable String token) {
    if (token == null) {
      return this;
    }
    List<Header> h = new ArrayList<>(headers);
    h.add(new Header("Authorization", "Bearer " + token));
    return new Credentials(machines, List.copyOf(h));
  }

  /** Adds what {@code u}'s host should get to {@code b}: the headers, else its netrc entry. */
  void apply(HttpRequest.Builder b, URI u) {
    boolean auth = false;
    for (Header h : headers) {
      b.header(h.name(), h.value());
      auth |= h.name().equalsIgnoreCase("Authorization");
    }
    if (auth) {
      return;
    }
    String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
    for (Machine m : machines) {
      if (m.host() == null || m.host().equals(host)) {
        String pair = m.login() + ":" + m.password();
        b.header(
            "Authorization",
            "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        return;
      }
    }
  }

  /** The entries of a netrc file: {@code machine H login L password P}, and {@code default}. */
  private static List<Machine> netrc(Path file) throws IOException {
    String[] t = Files.readString(file, StandardCharsets.UTF_8).strip().split("\\s+");
    List<Machine> out = new ArrayList<>();
    List<Machine> fallback = new ArrayList<>();
    String host = null;
    String login = null;
    String password = null;
    boolean inEntry = false;
    boolean isDefault = false;
    for (int i = 0; i < t.length; i++) {
      String w = t[i];
      if (w.equals("machine") || w.equals("default")) {
        if (inEntry && login != null && password != null) {
          (isDefault ? fallback : out).add(new Machine(isDefault ? null : host, login, password));
        }
        inEntry = true;
        isDefault = w.equals("default");
        host = isDefault || i + 1 >= t.length ? null : t[++i].toLowerCase(Locale.ROOT);
        login = null;
        password = null;
      } else if (w.equals("login") && i + 1 < t.length) {
        login = t[++i];
      } else if (w.equals("password") && i + 1 < t.length) {
        password = t[++i];
      } else if (w.equals("macdef")) {
        throw new IOException(file + ": macdef is not supported; remove it from the netrc file");
      }
    }
    if (inEntry && login != null && password != null) {
      (isDefault ? fallback : out).add(new Machine(isDefault ? null : host, login, password));
    }
    out.addAll(fallback); // default applies only to hosts without their own entry
    return out;
  }
}
