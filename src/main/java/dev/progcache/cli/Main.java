package dev.progcache.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point. With no subcommand (or {@code prog}) it is the GOCACHEPROG helper: it writes the
 * handshake before loading anything else. The only class that calls {@link System#exit}.
 */
public final class Main {
  static final String USAGE =
      """
      usage: progcache [prog] [helper flags]          the GOCACHEPROG helper (go starts it)
             progcache exec [helper flags] -- CMD...  run CMD with GOCACHEPROG set to this helper
             progcache daemon run|status|stop          the resident daemon behind bin/progcache-relay
             progcache setup [--one-shot] [--undo] [--print] [--force] [helper flags]
                                                      make plain go use progcache (go env -w)
             progcache trim|stats|verify|doctor|config [flags]   maintenance (--help for each)
             progcache serve [serve flags]            the shared cache server (serve --help)
             progcache token create --tokens FILE ... a server token, stored hashed (token --help)
             progcache token list|revoke --tokens FILE  the tokens of a file; revoke one by name
             progcache conform [--bench] -- HELPER... check (or measure) any GOCACHEPROG helper
             progcache mod prefetch [--proxy URL]     fetch go.sum's modules at once, for a CI job
             progcache prefetch [helper flags]        fetch this build context's entries now
             progcache version | --version
             progcache help | -h | --help             (also: progcache COMMAND --help)
      """
          + HelperConfig.USAGE;

  private Main() {}

  public static void main(String[] args) {
    String started = System.getProperty("progcache.started");
    if (started != null) {
      // the launcher's marker: this JVM started with PROGCACHE_JAVA_OPTS (see bin/progcache)
      new java.io.File(started).delete();
    }
    System.exit(run(args));
  }

  static int run(String[] argv) {
    List<String> args = Arrays.asList(argv);
    String sub = "prog";
    if (!args.isEmpty() && !args.get(0).startsWith("-")) {
      sub = args.get(0);
      args = args.subList(1, args.size());
    } else if (!args.isEmpty()
        && (args.get(0).equals("--version") || args.get(0).equals("-version"))) {
      sub = "version";
    }
    if (!sub.equals("__train") && asksForHelp(sub.equals("exec") ? untilCommand(args) : args)) {
      return help(sub);
    }
    try {
      return switch (sub) {
        case "prog" -> helper(args);
        case "exec" -> Exec.run(args, System.getenv());
        case "daemon" -> DaemonCommand.run(args, System.getenv());
        case "setup" -> Setup.run(args, System.getenv());
        case "trim", "stats", "verify", "doctor", "config", "prefetch" ->
            Admin.run(sub, args, Admin.Context.system());
        // loaded only when asked for: the server never touches the GOCACHEPROG path
        case "serve" ->
            dev.progcache.server.Serve.run(
                args, System.getenv(), ConfigFile.serveTable(System.getenv()), System.err);
        case "token" -> dev.progcache.server.auth.TokenCommand.run(args, System.out, System.err);
        // loaded only when this branch runs: the helper's startup never sees these classes
        case "conform" -> dev.progcache.conform.Conform.run(args, System.out, System.err);
        case "mod" -> ModPrefetch.run(args, System.getenv(), System.out, System.err);
        case "version" -> {
          System.out.println("progcache " + version());
          yield 0;
        }
        case "help" -> {
          System.out.print(USAGE);
          yield 0;
        }
        case "__train" -> Train.run(args);
        default -> {
          System.err.println(
              "progcache: unknown subcommand \"" + sub + "\" (progcache --help lists them)");
          yield 2;
        }
      };
    } catch (ConfigException e) {
      // one line: what is wrong, and where the usage is
      String first = e.getMessage().lines().findFirst().orElse("bad usage");
      System.err.println(
          "progcache: "
              + first
              + (first.contains("--help")
                  ? ""
                  : " (progcache "
                      + (sub.equals("prog") ? "" : sub + " ")
                      + "--help shows the usage)"));
      return 2;
    }
  }

  /** exec's own arguments: those before the command it runs (whose -h is the command's). */
  private static List<String> untilCommand(List<String> args) {
    for (int i = 0; i < args.size(); i++) {
      if (!args.get(i).startsWith("-")) {
        return args.subList(0, i);
      }
    }
    return args;
  }

  /** Whether {@code args}, before any {@code --}, ask for help. */
  static boolean asksForHelp(List<String> args) {
    for (String a : args) {
      if (a.equals("--")) {
        return false;
      }
      if (a.equals("-h") || a.equals("--help") || a.equals("-help")) {
        return true;
      }
    }
    return false;
  }

  /** Prints the usage of {@code sub} on stdout; exit status 0. */
  private static int help(String sub) {
    String text =
        switch (sub) {
          case "prog", "help", "version" -> USAGE;
          case "exec" -> Exec.USAGE + "\n" + HelperConfig.USAGE;
          case "daemon" -> DaemonCommand.USAGE;
          case "setup" -> Setup.USAGE;
          case "trim", "stats", "verify", "doctor", "config", "prefetch" -> Admin.usage(sub);
          case "serve" -> dev.progcache.server.ServeConfig.USAGE;
          case "token" -> dev.progcache.server.auth.TokenCommand.USAGE;
          case "conform" -> dev.progcache.conform.Conform.USAGE;
          case "mod" -> ModPrefetch.USAGE;
          default -> null;
        };
    if (text == null) {
      System.err.println(
          "progcache: unknown subcommand \"" + sub + "\" (progcache --help lists them)");
      return 2;
    }
    System.out.print(text);
    return 0;
  }

  private static int helper(List<String> args) throws ConfigException {
    // Never fails when go started it: go fails every command whose helper exits early, so
    // problems are reported after the handshake and the helper serves with defaults instead.
    // A person who typed a wrong flag at a terminal gets the usual usage error.
    HelperConfig cfg = HelperConfig.lenient(args, System.getenv());
    if (cfg.hasFlagProblems() && !startedByGo()) {
      throw new ConfigException(cfg.problems().getFirst().text());
    }
    // The handshake goes out first: go waits for it, and nothing slow has been loaded yet.
    FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
    try {
      stdout.write(dev.progcache.protocol.ResponseWriter.HANDSHAKE);
    } catch (IOException e) {
      System.err.println("progcache: cannot write to stdout (is go still there?): " + e);
      return 1;
    }
    // Anything printed by mistake must not reach the protocol stream.
    System.setOut(System.err);
    // Unbuffered: the parser buffers, and System.in's buffer would ask the pipe how much is
    // available (two system calls) after every short read, i.e. after every request.
    return Helper.run(
        cfg, new FileInputStream(FileDescriptor.in), stdout, System.err, System.getenv());
  }

  /** Whether stdin is a pipe or socket, as when go starts the helper (one readlink). */
  private static boolean startedByGo() {
    try {
      String in =
          java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/0")).toString();
      return in.startsWith("pipe:") || in.startsWith("socket:");
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return true; // cannot tell: assume go, which must not fail
    }
  }

  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
