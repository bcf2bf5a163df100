package dev.progcache.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.util.ArrayList;
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
             progcache setup [--daemon] [--undo] [--print] [--force] [helper flags]
                                                      make plain go use progcache (go env -w)
             progcache trim|stats|verify|doctor|config [flags]   maintenance (--help for each)
             progcache serve [serve flags]            the shared cache server (serve --help)
             progcache token create --tokens FILE ... a server token, stored hashed (token --help)
             progcache conform [--bench] -- HELPER... check (or measure) any GOCACHEPROG helper
             progcache version
             progcache help
      """
          + HelperConfig.USAGE;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] argv) {
    List<String> args = Arrays.asList(argv);
    String sub = "prog";
    if (!args.isEmpty() && !args.get(0).startsWith("-")) {
      sub = args.get(0);
      args = args.subList(1, args.size());
    }
    try {
      return switch (sub) {
        case "prog" -> helper(args);
        case "exec" -> Exec.run(args, System.getenv());
        case "daemon" -> DaemonCommand.run(args, System.getenv());
        case "setup" -> Setup.run(args, System.getenv());
        case "trim", "stats", "verify", "doctor", "config" ->
            Admin.run(sub, args, Admin.Context.system());
        // loaded only when asked for: the server never touches the GOCACHEPROG path
        case "serve" -> dev.progcache.server.Serve.run(args, System.getenv(), System.err);
        case "token" -> dev.progcache.server.TokenCommand.run(args, System.out, System.err);
        // loaded only when this branch runs: the helper's startup never sees these classes
        case "conform" -> dev.progcache.conform.Conform.run(args, System.out, System.err);
        case "version", "--version" -> {
          System.out.println("progcache " + version());
          yield 0;
        }
        case "help", "--help", "-h" -> {
          System.out.print(USAGE);
          yield 0;
        }
        case "__train" -> Train.run(args);
        default -> {
          System.err.println("progcache: unknown subcommand \"" + sub + "\"\n" + USAGE);
          yield 2;
        }
      };
    } catch (ConfigException e) {
      System.err.println("progcache: " + e.getMessage());
      return 2;
    }
  }

  private static int helper(List<String> args) {
    // Never fails: go fails every command whose helper exits early, so problems are reported
    // after the handshake and the helper serves with defaults instead.
    HelperConfig cfg = HelperConfig.lenient(args, System.getenv());
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

  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
