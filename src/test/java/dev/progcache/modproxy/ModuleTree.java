package dev.progcache.modproxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Small go modules written in GOPROXY layout for {@link FakeGoProxy}, and a main module that
 * requires them. The standard set: {@code example.com/a} v1.0.0 and v1.1.0, {@code
 * example.com/Upper/Lib} v0.1.0 (an upper-case path), {@code example.com/old} v1.0.0 and
 * v2.0.0+incompatible (no go.mod).
 */
public final class ModuleTree {
  private ModuleTree() {}

  /** Writes every version of {@code path} (its package named {@code pkg}) under {@code root}. */
  public static void module(Path root, String path, String pkg, List<String> versions)
      throws IOException {
    Path v = root.resolve(escape(path)).resolve("@v");
    Files.createDirectories(v);
    Files.writeString(v.resolve("list"), String.join("\n", versions) + "\n");
    for (String version : versions) {
      String ev = escape(version);
      boolean incompatible = version.endsWith("+incompatible");
      String gomod = "module " + path + "\n" + (incompatible ? "" : "\ngo 1.21\n");
      Files.writeString(
          v.resolve(ev + ".info"),
          "{\"Version\":\"" + version + "\",\"Time\":\"2024-01-02T03:04:05Z\"}\n");
      Files.writeString(v.resolve(ev + ".mod"), gomod);
      Map<String, String> files = new LinkedHashMap<>();
      if (!incompatible) {
        files.put("go.mod", gomod);
      }
      files.put(
          pkg + ".go",
          "package "
              + pkg
              + "\n\n// Version is the version of this module.\nfunc Version() string { return \""
              + path
              + " "
              + version
              + "\" }\n");
      Files.write(v.resolve(ev + ".zip"), zip(path + "@" + version + "/", files));
    }
    String last = versions.get(versions.size() - 1);
    Files.writeString(
        root.resolve(escape(path)).resolve("@latest"),
        "{\"Version\":\"" + last + "\",\"Time\":\"2024-01-02T03:04:05Z\"}\n");
  }

  /** A zip with {@code files} under {@code prefix}. */
  public static byte[] zip(String prefix, Map<String, String> files) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(b)) {
      for (Map.Entry<String, String> f : files.entrySet()) {
        z.putNextEntry(new ZipEntry(prefix + f.getKey()));
        z.write(f.getValue().getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
      }
    }
    return b.toByteArray();
  }

  /** go's case-encoding: each upper-case letter becomes {@code !} and its lower case. */
  public static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c >= 'A' && c <= 'Z') {
        b.append('!').append(Character.toLowerCase(c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /** The standard modules under {@code root}. */
  public static void standard(Path root) throws IOException {
    module(root, "example.com/a", "a", List.of("v1.0.0", "v1.1.0"));
    module(root, "example.com/Upper/Lib", "lib", List.of("v0.1.0"));
    module(root, "example.com/old", "old", List.of("v1.0.0", "v2.0.0+incompatible"));
  }

  /**
   * A main module in {@code dir} requiring the standard modules; {@code go build} prints their
   * versions.
   */
  public static Path mainModule(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("go.mod"),
        """
        module example.com/app

        go 1.21

        require (
        \texample.com/Upper/Lib v0.1.0
        \texample.com/a v1.1.0
        \texample.com/old v2.0.0+incompatible
        )
        """);
    Files.writeString(
        dir.resolve("main.go"),
        """
        package main

        import (
        \t"example.com/Upper/Lib"
        \t"example.com/a"
        \t"example.com/old"
        )

        func main() { println(a.Version(), lib.Version(), old.Version()) }
        """);
    return dir;
  }
}
