package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.cache.Stats;
import dev.progcache.remote.Prefetch;
import dev.progcache.remote.RemoteLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class PrefetchCommandTest {
  @TempDir Path tmp;

  @Test
  void merged_takesGosValues_anEmptyOneUnsets_andTheKeyIsWhatGosEnvironmentGives()
      throws Exception {
    List<String> values =
        List.of(
            "go1.27.4",
            "/usr/lib/go",
            "linux",
            "amd64",
            "v1",
            "",
            "",
            "",
            "",
            "1",
            "-modcacherw",
            "",
            "");
    Map<String, String> own = Map.of("GOARM", "7", "HOME", "/home/u", "GOWORK", "off");
    Map<String, String> m = PrefetchCommand.merged(own, String.join("\n", values) + "\n");
    assertThat(m)
        .containsEntry("GOVERSION", "go1.27.4")
        .containsEntry("GOAMD64", "v1")
        .containsEntry("CGO_ENABLED", "1")
        .containsEntry("GOFLAGS", "-modcacherw")
        .containsEntry("HOME", "/home/u")
        .containsEntry("GOWORK", "off")
        .doesNotContainKey("GOARM");
    // what go hands its cache program (go's settings filled in, unset ones absent) keys the same
    Map<String, String> fromGo =
        Map.of(
            "GOVERSION",
            "go1.27.4",
            "GOROOT",
            "/usr/lib/go",
            "GOOS",
            "linux",
            "GOARCH",
            "amd64",
            "GOAMD64",
            "v1",
            "CGO_ENABLED",
            "1",
            "GOFLAGS",
            "-modcacherw",
            "GOWORK",
            "off");
    assertThat(BuildContext.key(m, tmp, java.util.Optional.empty()))
        .isEqualTo(BuildContext.key(fromGo, tmp, java.util.Optional.empty()));
  }

  @Test
  void merged_refusesOutputThatDoesNotMatchTheSettingsAskedFor() {
    assertThatThrownBy(() -> PrefetchCommand.merged(Map.of(), "go1.27.4\nlinux\n"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("2 lines for 13 settings");
  }

  @Test
  void withoutGo_theContextComesFromTheEnvironment_andALineSaysSo() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Map<String, String> env = Map.of("PATH", tmp.toString(), "GOOS", "linux");
    Map<String, String> m =
        PrefetchCommand.asGoGivesIt(env, tmp, new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(m).isEqualTo(env);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("cannot ask go for its settings (no go on PATH)")
        .contains("may not be go's");
  }

  @Test
  void summary_saysWhatWasListedOnDiskAndFetched_orThatThereIsNoManifestYet() {
    Stats stats = new Stats();
    stats.add(RemoteLog.PREFETCHED, 5);
    stats.add(RemoteLog.PREFETCH_BYTES, 3 << 20);
    Path dir = tmp.resolve("cache");
    assertThat(
            PrefetchCommand.summary(new Prefetch.Ahead(7, 2, true), stats, 0, 1_500_000_000L, dir))
        .isEqualTo(
            "progcache prefetch: 7 listed, 2 already in "
                + dir
                + ", 5 fetched (3.0 MiB) in 1.50 s");
    assertThat(PrefetchCommand.summary(new Prefetch.Ahead(0, 0, true), new Stats(), 0, 0, dir))
        .startsWith("progcache prefetch: no manifest for this build context yet");
    assertThat(PrefetchCommand.summary(new Prefetch.Ahead(4, 0, false), new Stats(), 2, 0, dir))
        .contains("2 shared-tier errors")
        .contains("gave up after 5 minutes");
  }
}
