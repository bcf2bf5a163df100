package dev.progcache.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The relay that {@code progcache setup} puts in go's env file: a copy of an install's {@code
 * bin/progcache-relay} in {@code $XDG_DATA_HOME/progcache/bin} (else {@code
 * ~/.local/share/progcache/bin}), beside a file {@code progcache-relay.install} naming that
 * install's {@code bin} directory, where the relay finds the launcher it starts the daemon and the
 * one-shot helper with. Its path never changes, so go's env file survives upgrades: the next {@code
 * setup} replaces both files (each written to a temporary file and renamed), and when the install
 * it names is deleted the relay says what to run instead of failing obscurely.
 */
record StableRelay(Path dir) {
  static final String RELAY = "progcache-relay";
  static final String INSTALL = "progcache-relay.install";

  static StableRelay of(Map<String, String> env) {
    String data = env.get("XDG_DATA_HOME");
    Path base =
        data != null && !data.isEmpty()
            ? Path.of(data)
            : Path.of(env.getOrDefault("HOME", "/"), ".local", "share");
    return new StableRelay(base.resolve("progcache").resolve("bin"));
  }

  Path relay() {
    return dir.resolve(RELAY);
  }

  /** Copies {@code installed} (an install's relay) here and records its install. */
  void install(Path installed) throws ConfigException {
    try {
      Files.createDirectories(dir);
      // the install file first: the old relay copy reads the new install until it is replaced
      write(
          INSTALL,
          (installed.toAbsolutePath().getParent() + "\n").getBytes(StandardCharsets.UTF_8));
      write(RELAY, Files.readAllBytes(installed));
    } catch (IOException e) {
      throw new ConfigException(
          "cannot install the relay in "
              + dir
              + " ("
              + e.getMessage()
              + "); check that the"
              + " directory is writable, or use --one-shot");
    }
  }

  private void write(String name, byte[] bytes) throws IOException {
    Path tmp =
        Files.createTempFile(
            dir,
            "." + name + "-",
            "",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    try {
      Files.write(tmp, bytes);
      Files.move(
          tmp,
          dir.resolve(name),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Removes the stable entry, if any. */
  void remove() {
    try {
      Files.deleteIfExists(relay());
      Files.deleteIfExists(dir.resolve(INSTALL));
    } catch (IOException e) {
      // harmless: go no longer names it
    }
  }
}
