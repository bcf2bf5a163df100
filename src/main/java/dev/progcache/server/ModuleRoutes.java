package dev.progcache.server;

import dev.progcache.modproxy.ModProxy;
import java.io.IOException;
import java.io.PrintStream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.AbstractLifeCycle;

/**
 * What the server needs to run the module proxy of {@code --modproxy}: starting it in the
 * server's directory (and bucket, and edge's upstream), closing it with the server, and the token
 * rule for {@code /mod/}: the {@code modules} or {@code read} grant.
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

  /** Whether {@code req}'s token may download modules. */
  static ModProxy.Verdict access(Authenticator auth, Request req) {
    Authenticator.Outcome who = auth.check(req.getHeaders().get(HttpHeader.AUTHORIZATION));
    Tokens.Principal p = who.principal();
    if (p == null) {
      return new ModProxy.Verdict(who.status() == 403 ? 403 : 401, who.reason());
    }
    req.setAttribute(AccessLog.PRINCIPAL, p.name());
    return p.mayDownloadModules()
        ? ModProxy.Verdict.OK
        : new ModProxy.Verdict(403, "this token may not download modules (it needs the modules or read grant)");
  }
}
