package dev.progcache.server.auth;

import dev.progcache.server.ServeException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Edits of a tokens file for {@code progcache token}: each under an exclusive lock on a sibling
 * lock file (two editors never lose each other's change), written to a temp file (mode 600) and
 * renamed over the file, so a running server never reads half of one. Stateless.
 */
final class TokenFile {
  private TokenFile() {}

  /** The lines of {@code file}; none when it does not exist. */
  static List<String> lines(Path file) throws IOException {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }

  /** A principal for {@code token list}: name, grants, home namespace and further reads. */
  static String describe(Tokens.Principal p) {
    List<String> g = new ArrayList<>();
    for (Tokens.Grant x : Tokens.Grant.values()) {
      if (p.grants().contains(x)) {
        g.add(x.name().toLowerCase(Locale.ROOT));
      }
    }
    String reads =
        p.reads().size() > 1
            ? " reads=" + String.join(",", p.reads().subList(1, p.reads().size()))
            : "";
    return p.name() + " " + String.join(",", g) + " ns=" + p.home() + reads;
  }

  /**
   * The value of {@code --tokens} in {@code args}, which may hold {@code operands} other words.
   *
   * @throws ServeException when it is missing or another flag or too many words are given
   */
  static Path flag(List<String> args, int operands) throws ServeException {
    Path file = null;
    int words = 0;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--tokens") && i + 1 < args.size()) {
        file = Path.of(args.get(++i));
      } else if (a.startsWith("--tokens=")) {
        file = Path.of(a.substring("--tokens=".length()));
      } else if (a.startsWith("-") || ++words > operands) {
        throw new ServeException("unexpected \"" + a + "\"\n" + TokenCommand.USAGE);
      }
    }
    if (file == null) {
      throw new ServeException(
          "--tokens FILE is required (the file progcache serve --tokens reads)");
    }
    return file;
  }

  /** The one word of {@code args} that is neither a flag nor its value. */
  static String operand(List<String> args) throws ServeException {
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals("--tokens")) {
        i++;
      } else if (!args.get(i).startsWith("-")) {
        return args.get(i);
      }
    }
    throw new ServeException(
        "give the NAME of the token to revoke (progcache token list shows them)");
  }

  /**
   * Appends {@code line}, for a token named {@code name}, to {@code file}.
   *
   * @throws IOException when the name is taken (nothing changes) or the file cannot be written
   */
  static void append(Path file, String line, String name) throws IOException {
    edit(
        file,
        old -> {
          Optional<Integer> taken = lineOf(old, file, name);
          if (taken.isPresent()) {
            throw new IOException(
                "a token named \""
                    + name
                    + "\" is already on line "
                    + taken.get()
                    + " of "
                    + file
                    + "; give another --name, or revoke it first (progcache token revoke)");
          }
          List<String> l = new ArrayList<>(old);
          l.add(line);
          return l;
        });
  }

  /** Removes every line of a token named {@code name}; returns how many. */
  static int removeName(Path file, String name) throws IOException {
    int[] removed = {0};
    edit(
        file,
        old -> {
          List<String> kept = new ArrayList<>();
          for (int i = 0; i < old.size(); i++) {
            if (nameOf(old.get(i), file, i).filter(name::equals).isPresent()) {
              removed[0]++;
            } else {
              kept.add(old.get(i));
            }
          }
          return kept;
        });
    return removed[0];
  }

  private static Optional<Integer> lineOf(List<String> lines, Path file, String name) {
    for (int i = 0; i < lines.size(); i++) {
      if (nameOf(lines.get(i), file, i).filter(name::equals).isPresent()) {
        return Optional.of(i + 1);
      }
    }
    return Optional.empty();
  }

  /** The name line {@code i} gives its token (as the server reads it); empty for other lines. */
  private static Optional<String> nameOf(String line, Path file, int i) {
    try {
      return TokenLine.parse(line, file + " line " + (i + 1), i + 1).map(l -> l.principal().name());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** A change of a file's lines that may refuse it. */
  @FunctionalInterface
  private interface Change {
    List<String> apply(List<String> lines) throws IOException;
  }

  private static void edit(Path file, Change change) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path lockFile = dir.resolve("." + file.getFileName() + ".lock");
    try (FileChannel ch =
        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock held = ch.lock();
      try {
        replace(file.toAbsolutePath(), dir, change.apply(lines(file)));
      } finally {
        held.release();
      }
    }
  }

  private static void replace(Path file, Path dir, List<String> lines) throws IOException {
    StringBuilder text = new StringBuilder();
    lines.forEach(l -> text.append(l).append('\n'));
    Path tmp = Files.createTempFile(dir, ".tokens-", ".tmp");
    try {
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: its defaults apply
      }
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
