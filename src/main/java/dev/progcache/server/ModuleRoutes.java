package dev.progcache.server;

import dev.progcache.modproxy.ModProxy;
import dev.progcache.server.auth.Authenticator;
import dev.progcache.server.auth.Tokens;
import dev.progcache.server.http.AccessLog;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.jspecify.annotations.Nullable;

/**
 * What the server needs to run the module proxy of {@code --modproxy}: starting it in the server's
 * directory (and bucket, and edge's upstream), closing it with the server, and the token rule for
 * {@code /mod/}: the {@code modules} or {@code read} grant.
 */
final class ModuleRoutes {
  /** The module proxy's directory in the storage directory. */
  static final String DIR = "modules";

  private ModuleRoutes() {}

  /** Starts the module proxy of {@code cfg} and has {@code server} close it when it stops. */
  static ModProxy start(ServeConfig cfg, Server server, PrintStream err) throws ServeException {
    ServeConfig.Edge e = cfg.upstream();
    ModProxy m;
    try {
      m =
          ModProxy.start(
              cfg.modules(),
              new ModProxy.Where(
                  cfg.dir().resolve(DIR),
                  cfg.limits().maxSize(),
                  cfg.s3(),
                  e == null ? null : e.url(),
                  e == null ? null : e.token()),
              err);
    } catch (IOException x) {
      throw new ServeException("cannot start the module proxy: " + x.getMessage(), x);
    }
    server.addManaged(
        new AbstractLifeCycle() {
          @Override
          protected void doStop() {
            m.close();
          }
        });
    err.println("progcache serve: module proxy at /mod/: " + m.describe());
    return m;
  }

  /**
   * Whether {@code req}'s token may download modules. Besides {@code Bearer TOKEN}, {@code Basic}
   * credentials whose password is the token are accepted here: that is what go sends from a netrc
   * file (GOAUTH=netrc, its default).
   */
  static ModProxy.Verdict access(Authenticator auth, Request req) {
    Authenticator.Outcome who = auth.check(bearer(req.getHeaders().get(HttpHeader.AUTHORIZATION)));
    Tokens.Principal p = who.principal();
    if (p == null) {
      return new ModProxy.Verdict(who.status() == 403 ? 403 : 401, who.reason());
    }
    req.setAttribute(AccessLog.PRINCIPAL, p.name());
    return p.mayDownloadModules()
        ? ModProxy.Verdict.ok(p.name())
        : new ModProxy.Verdict(
            403, "this token may not download modules (it needs the modules or read grant)");
  }

  /** {@code Basic base64(login:TOKEN)} as {@code Bearer TOKEN}; anything else as it is. */
  private static @Nullable String bearer(@Nullable String authorization) {
    if (authorization == null
        || authorization.length() < 6
        || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return authorization;
    }
    try {
      String pair =
          new String(
              Base64.getDecoder().decode(authorization.substring(6).strip()),
              StandardCharsets.UTF_8);
      int colon = pair.indexOf(':');
      return colon < 0 || colon == pair.length() - 1
          ? "Bearer -"
          : "Bearer " + pair.substring(colon + 1);
    } catch (IllegalArgumentException e) {
      return "Bearer -"; // not base64: an unknown token
    }
  }
}
