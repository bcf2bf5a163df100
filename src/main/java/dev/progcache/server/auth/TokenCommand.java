package dev.progcache.server.auth;

import dev.progcache.server.ServeException;
import dev.progcache.server.store.Namespaces;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * {@code progcache token create}: makes a random token (32 bytes from {@link SecureRandom},
 * base64url), appends its sha256 line to the tokens file (temp file + atomic rename, so a running
 * server never reads half a file) and prints the token once on stdout. The file never holds the
 * token itself.
 */
public final class TokenCommand {
  public static final String USAGE =
      """
      usage: progcache token create --tokens FILE [--read] [--write] [--modules] [--metrics]
                                    [--namespace NS] [--read-namespace NS]... [--name NAME]
             progcache token list --tokens FILE
             progcache token revoke --tokens FILE NAME
        --tokens FILE          the server's tokens file (created if missing)
        --read, --write        what the token may do (at least one of these, --modules or --metrics)
        --modules              download through the module proxy only (--read includes it)
        --metrics              it may read /metrics (a scraper's token needs only this)
        --namespace NS         the namespace it writes and reads first (default main)
        --read-namespace NS    a further namespace it reads after NS, e.g. main for a pull
                               request token in pr-123 (repeatable, in lookup order)
        --name NAME            what the server's logs show for it (default NS-<hash prefix>);
                               names are unique within the file
      The token is printed once on stdout; only its sha256 is stored. A running server picks
      the new line up within a second. list shows each token's name, grants and namespaces
      (never a token); revoke NAME deletes its line, and a running server refuses the token
      within two seconds.
      """;

  private TokenCommand() {}

  /** Runs {@code progcache token ARGS}; returns the exit status (only Main exits). */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(USAGE);
      return 0;
    }
    if (args.isEmpty()) {
      err.println("progcache token: missing subcommand (progcache token --help shows the usage)");
      return 2;
    }
    try {
      return switch (args.get(0)) {
        case "create" -> create(args.subList(1, args.size()), out, err);
        case "list" -> list(TokenFile.flag(args.subList(1, args.size()), 0), out);
        case "revoke" -> revoke(args.subList(1, args.size()), err);
        default -> {
          err.println(
              "progcache token: unknown subcommand \""
                  + args.get(0)
                  + "\""
                  + " (progcache token --help shows the usage)");
          yield 2;
        }
      };
    } catch (ServeException e) {
      err.println("progcache token: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("progcache token: cannot update the tokens file: " + e.getMessage());
      return 1;
    }
  }

  private static int create(List<String> args, PrintStream out, PrintStream err)
      throws ServeException, IOException {
    Request r = Request.parse(args);
    String token = create(r);
    out.println(token);
    out.flush();
    err.println(
        "progcache token: added \""
            + r.name()
            + "\" to "
            + r.file()
            + "; the token above is shown only this once");
    return 0;
  }

  /** Prints one line per token: name, grants, namespaces. */
  private static int list(Path file, PrintStream out) throws IOException {
    List<String> problems = new ArrayList<>();
    Tokens t = Tokens.lenient(TokenFile.lines(file), file.toString(), null, problems);
    for (Tokens.Principal p : t.principals()) {
      out.println(TokenFile.describe(p));
    }
    problems.forEach(x -> out.println("# " + x));
    return 0;
  }

  private static int revoke(List<String> args, PrintStream err) throws ServeException, IOException {
    Path file = TokenFile.flag(args, 1);
    String name = TokenFile.operand(args);
    int removed = TokenFile.removeName(file.toAbsolutePath(), name);
    if (removed == 0) {
      throw new ServeException(
          "no token named \"" + name + "\" in " + file + " (progcache token list shows the names)");
    }
    err.println(
        "progcache token: revoked \""
            + name
            + "\" in "
            + file
            + "; a running server refuses it within two seconds");
    return 0;
  }

  /** What to create. */
  record Request(
      Path file, Set<Tokens.Grant> grants, String home, List<String> reads, String name) {
    static Request parse(List<String> args) throws ServeException {
      Path file = null;
      Set<Tokens.Grant> grants = EnumSet.noneOf(Tokens.Grant.class);
      String home = Namespaces.MAIN;
      List<String> reads = new ArrayList<>();
      String name = "";
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        switch (a) {
          case "--read" -> grants.add(Tokens.Grant.READ);
          case "--write" -> grants.add(Tokens.Grant.WRITE);
          case "--modules" -> grants.add(Tokens.Grant.MODULES);
          case "--metrics" -> grants.add(Tokens.Grant.METRICS);
          case "--tokens", "--namespace", "--read-namespace", "--name" -> {
            if (i + 1 >= args.size()) {
              throw new ServeException(
                  a + " needs a value (progcache token --help shows the usage)");
            }
            String v = args.get(++i);
            switch (a) {
              case "--tokens" -> file = Path.of(v);
              case "--namespace" -> home = namespace(a, v);
              case "--read-namespace" -> reads.add(namespace(a, v));
              default -> name = name(v);
            }
          }
          default ->
              throw new ServeException(
                  "unknown flag " + a + " (progcache token --help shows the usage)");
        }
      }
      if (file == null) {
        throw new ServeException(
            "--tokens FILE is required (the file progcache serve --tokens reads)");
      }
      if (grants.isEmpty()) {
        throw new ServeException("give --read, --write, --modules, --metrics or a combination");
      }
      return new Request(file, grants, home, reads, name);
    }

    private static String namespace(String flag, String v) throws ServeException {
      if (!Namespaces.valid(v)) {
        throw new ServeException(flag + " " + v + ": a namespace is " + Namespaces.RULE);
      }
      return v;
    }

    private static String name(String v) throws ServeException {
      if (!v.matches("[A-Za-z0-9._@:-]{1,64}")) {
        throw new ServeException("--name " + v + ": use 1 to 64 of A-Z a-z 0-9 . _ @ : -");
      }
      return v;
    }
  }

  /** Makes the token, appends its line to the file and returns the token. */
  static String create(Request r) throws IOException {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    byte[] digest = Tokens.sha256(token);
    String name =
        r.name().isEmpty() ? r.home() + "-" + HexFormat.of().formatHex(digest, 0, 4) : r.name();
    List<String> chain = new ArrayList<>(List.of(r.home()));
    r.reads().stream().filter(n -> !chain.contains(n)).forEach(chain::add);
    String line = TokenLine.format(digest, new Tokens.Principal(name, r.grants(), r.home(), chain));
    TokenFile.append(r.file().toAbsolutePath(), line, name);
    return token;
  }
}
