package dev.progcache.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A small Go module on disk (a main package, a library with a test) plus a hermetic go env. */
public final class GoModule {
  private GoModule() {}

  /** Writes the module under {@code dir}. */
  public static void write(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("greet"));
    Files.writeString(dir.resolve("go.mod"), "module example.com/hello\n\ngo 1.24\n");
    Files.writeString(
        dir.resolve("main.go"),
        """
        package main

        import (
        \t"encoding/json"
        \t"fmt"
        \t"os"

        \t"example.com/hello/greet"
        )

        func main() {
        \tb, _ := json.Marshal(map[string]string{"msg": greet.Hello(os.Args[1:])})
        \tfmt.Println(string(b))
        }
        """);
    Files.writeString(
        dir.resolve("greet/greet.go"),
        """
        package greet

        import "strings"

        // Hello greets everyone named.
        func Hello(names []string) string { return "hello " + strings.Join(names, ", ") }
        """);
    Files.writeString(
        dir.resolve("greet/greet_test.go"),
        """
        package greet

        import "testing"

        func TestHello(t *testing.T) {
        \tif got := Hello([]string{"a", "b"}); got != "hello a, b" {
        \t\tt.Fatalf("got %q", got)
        \t}
        }
        """);
    // go ignores cached file hashes for files modified within the last seconds; age them
    try (var s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        Files.setLastModifiedTime(
            p, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
      }
    }
  }

  /** A hermetic environment for go: its own GOCACHE, GOPATH and HOME under {@code root}. */
  public static Map<String, String> env(Path root, Path goCache) {
    Path go = GoTool.go();
    Map<String, String> env = new HashMap<>();
    env.put("PATH", go.getParent() + ":/usr/bin:/bin");
    env.put("GOCACHE", goCache.toString());
    env.put("GOPATH", root.resolve("gopath").toString());
    env.put("HOME", root.resolve("home").toString());
    env.put("GOENV", "off");
    env.put("GOFLAGS", "");
    env.put("GOTOOLCHAIN", "local");
    env.put("GOPROXY", "off");
    env.put("CGO_ENABLED", "0");
    env.put("GOCACHEPROG", "");
    return env;
  }

  /**
   * Sets {@code env} for go to download modules only through {@code proxy} into {@code modCache}
   * (writable, so the test can delete it): no checksum database, no private patterns, no GOAUTH.
   */
  public static Map<String, String> throughProxy(
      Map<String, String> env, String proxy, Path modCache) {
    env.put("GOPROXY", proxy);
    env.put("GOSUMDB", "off");
    env.put("GOFLAGS", "-modcacherw");
    env.put("GOMODCACHE", modCache.toString());
    env.put("GOPRIVATE", "");
    env.put("GONOPROXY", "");
    env.put("GONOSUMDB", "");
    env.put("GOINSECURE", "");
    env.put("GOAUTH", "off");
    env.put("GOTELEMETRY", "off");
    return env;
  }
}
