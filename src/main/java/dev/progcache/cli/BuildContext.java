package dev.progcache.cli;

import dev.progcache.cache.Key;
import dev.progcache.disk.PlainSha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The build context a prefetch manifest belongs to, as a key: the sha256 of either the explicit
 * {@code --prefetch-key}, or the main module's path (from the {@code go.mod} found from the working
 * directory upward; the directory itself when there is none), the go version ({@code GOVERSION},
 * which go passes to its cache program, else the first line of {@code $GOROOT/VERSION}) and the
 * build settings in the environment that change action IDs wholesale ({@code GOOS}, {@code GOARCH},
 * {@code CGO_ENABLED}, {@code GOFLAGS}, ...).
 *
 * <p>Reads at most two small files and never runs go. A key that is wrong only costs prefetched
 * bytes: every prefetched entry is verified like any other. Stateless.
 */
final class BuildContext {
  static final List<String> SETTINGS =
      List.of(
          "GOOS",
          "GOARCH",
          "GOAMD64",
          "GOARM",
          "GOARM64",
          "GO386",
          "GORISCV64",
          "CGO_ENABLED",
          "GOFLAGS",
          "GOEXPERIMENT",
          "GO111MODULE",
          "GOWORK");
  private static final int MAX_GOMOD = 1 << 16;
  private static final int MAX_DEPTH = 64;

  private BuildContext() {}

  static Key key(Map<String, String> env, Path cwd, Optional<String> explicit) {
    if (explicit.isPresent()) {
      return sha256("progcache prefetch key\n" + explicit.get().strip());
    }
    StringBuilder b = new StringBuilder("progcache prefetch context\n");
    b.append(module(cwd).map(m -> "module " + m).orElse("dir " + cwd)).append('\n');
    b.append("go ").append(goVersion(env)).append('\n');
    for (String s : SETTINGS) {
      b.append(s).append('=').append(env.getOrDefault(s, "")).append('\n');
    }
    return sha256(b.toString());
  }

  /** The module path in the nearest go.mod at or above {@code dir}. */
  static Optional<String> module(Path dir) {
    Path d = dir.toAbsolutePath();
    for (int i = 0; d != null && i < MAX_DEPTH; i++, d = d.getParent()) {
      Path mod = d.resolve("go.mod");
      if (Files.isRegularFile(mod)) {
        return modulePath(mod);
      }
    }
    return Optional.empty();
  }

  private static Optional<String> modulePath(Path mod) {
    try (InputStream in = Files.newInputStream(mod)) {
      String text = new String(in.readNBytes(MAX_GOMOD), StandardCharsets.UTF_8);
      for (String line : text.split("\n")) {
        String l = line.strip();
        if (l.startsWith("module")) {
          String m = l.substring("module".length()).strip();
          int c = m.indexOf("//");
          m = (c >= 0 ? m.substring(0, c) : m).strip().replace("\"", "");
          if (!m.isEmpty()) {
            return Optional.of(m);
          }
        }
      }
      return Optional.of("(no module line) " + mod);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static String goVersion(Map<String, String> env) {
    String v = env.get("GOVERSION");
    if (v != null && !v.isBlank()) {
      return v.strip();
    }
    String root = env.get("GOROOT");
    if (root == null || root.isBlank()) {
      return "";
    }
    try (InputStream in = Files.newInputStream(Path.of(root, "VERSION"))) {
      String text = new String(in.readNBytes(256), StandardCharsets.UTF_8);
      return text.lines().findFirst().orElse("").strip();
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** Without the JDK's providers: their set-up held a fresh runner's manifest request ~40 ms. */
  private static Key sha256(String s) {
    return Key.of(PlainSha256.digest(s.getBytes(StandardCharsets.UTF_8)));
  }
}
