package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What {@code progcache mod prefetch} reads from go.sum and its arguments (no network). */
@Timeout(30)
class ModPrefetchTest {
  @TempDir Path tmp;

  private static List<String> files(String... lines) {
    Set<ModPrefetch.File> files = new LinkedHashSet<>();
    for (String l : lines) {
      ModPrefetch.filesOf(l, files);
    }
    return files.stream().map(ModPrefetch.File::rel).toList();
  }

  @Test
  void aZipLine_asksForZipModAndInfo_aGoModLineForTheModOnly() {
    assertThat(
            files(
                "example.com/a v1.1.0 h1:abc=",
                "example.com/a v1.1.0/go.mod h1:def=",
                "example.com/b v0.2.0/go.mod h1:ghi="))
        .containsExactly(
            "example.com/a/@v/v1.1.0.mod",
            "example.com/a/@v/v1.1.0.zip",
            "example.com/a/@v/v1.1.0.info",
            "example.com/b/@v/v0.2.0.mod");
  }

  @Test
  void upperCaseAndIncompatible_areCaseEncodedAsGoDoes() {
    assertThat(
            files(
                "example.com/Upper/Lib v0.1.0-RC1 h1:x=",
                "example.com/old v2.0.0+incompatible h1:y="))
        .contains(
            "example.com/!upper/!lib/@v/v0.1.0-!r!c1.zip",
            "example.com/old/@v/v2.0.0+incompatible.zip");
  }

  @Test
  void linesThatCouldLeaveTheDirectory_orNameNoModule_areRefused() {
    Set<ModPrefetch.File> files = new LinkedHashSet<>();
    for (String bad :
        List.of(
            "../../etc v1.0.0 h1:x=",
            "example.com/../x v1.0.0 h1:x=",
            "/abs/path v1.0.0 h1:x=",
            "example.com/a ../../v1 h1:x=",
            "example.com/a v1.0.0",
            "example.com/a v1.0.0 sha256:x",
            "# a comment")) {
      assertThat(ModPrefetch.filesOf(bad, files)).as(bad).isFalse();
    }
    assertThat(files).isEmpty();
  }

  @Test
  void theProxyDefaultsToGoproxysFirstHttpEntry() {
    assertThat(ModPrefetch.firstHttpProxy("file:///x,https://a.example/mod|direct"))
        .isEqualTo("https://a.example/mod");
    assertThat(ModPrefetch.firstHttpProxy("direct,off")).isNull();
  }

  @Test
  void badUsage_isAConfigProblem_andAMissingGoSumExitsOne() throws Exception {
    PrintStream none = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ModPrefetch.run(List.of(), Map.of(), none, none))
        .isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> ModPrefetch.run(List.of("prefetch", "--bogus"), Map.of(), none, none))
        .hasMessageContaining("unknown flag --bogus");
    assertThatThrownBy(
            () -> ModPrefetch.run(List.of("prefetch", "--jobs", "0"), Map.of(), none, none))
        .hasMessageContaining("--jobs must be 1 to 256");
    assertThatThrownBy(
            () -> ModPrefetch.run(List.of("prefetch"), Map.of("GOPROXY", "direct"), none, none))
        .hasMessageContaining("no --proxy");
    assertThatThrownBy(
            () -> ModPrefetch.run(List.of("prefetch", "--proxy", "ftp://x/"), Map.of(), none, none))
        .hasMessageContaining("http(s) URL");

    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        ModPrefetch.run(
            List.of(
                "prefetch",
                "--proxy",
                "http://127.0.0.1:9/mod",
                "--go-sum",
                tmp.resolve("go.sum").toString(),
                "--dir",
                tmp.resolve("d").toString()),
            Map.of(),
            none,
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("go.sum does not exist");
    assertThat(Files.exists(tmp.resolve("d"))).isFalse();
  }
}
