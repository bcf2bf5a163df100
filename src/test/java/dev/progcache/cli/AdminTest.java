package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.disk.DiskStore;
import dev.progcache.disk.SessionLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class AdminTest {
  static final long NOW = 1_790_000_000L * 1_000_000_000L;
  static final long DAY = TimeUnit.DAYS.toNanos(1);

  @TempDir Path tmp;
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();
  final Map<String, String> env = new HashMap<>();

  private int run(String sub, String... args) throws ConfigException {
    env.putIfAbsent("HOME", tmp.toString());
    Admin.Context ctx =
        new Admin.Context(
            env,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            () -> NOW);
    return Admin.run(sub, List.of(args), ctx);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  /** A cache with {@code n} entries of 1000 bytes, each used {@code ageDays} ago. */
  private Path cache(int n, long ageDays) throws Exception {
    Path dir = tmp.resolve("cache");
    DiskStore s = DiskStore.open(dir, () -> NOW, new Stats());
    for (int i = 0; i < n; i++) {
      byte[] body = new byte[1000];
      body[0] = (byte) i;
      body[1] = (byte) ageDays;
      byte[] a = MessageDigest.getInstance("SHA-256").digest(("a" + i + "/" + ageDays).getBytes());
      Key out = Key.of(MessageDigest.getInstance("SHA-256").digest(body));
      Path p =
          s.put(
              Key.of(a),
              out,
              1000,
              o -> {
                o.write(body);
                return 1000;
              });
      Files.setLastModifiedTime(p, FileTime.from(NOW - ageDays * DAY, TimeUnit.NANOSECONDS));
      Files.setLastModifiedTime(
          s.recordPath(Key.of(a)), FileTime.from(NOW - ageDays * DAY, TimeUnit.NANOSECONDS));
    }
    return dir;
  }

  @Test
  void everySubcommand_hasHelp() throws Exception {
    for (Admin.Command c : Admin.COMMANDS) {
      out.reset();
      assertThat(run(c.name(), "--help")).isZero();
      assertThat(out()).startsWith("usage: progcache " + c.name()).contains("--dir");
    }
  }

  @Test
  void config_showsValuesAndWhereEachCameFrom() throws Exception {
    Path f = tmp.resolve("c.toml");
    Files.writeString(f, "max-age = \"7d\"\n");
    env.put("PROGCACHE_CONFIG", f.toString());
    env.put("PROGCACHE_VERBOSE", "1");
    assertThat(run("config", "--dir", tmp.toString())).isZero();
    assertThat(out())
        .containsPattern("dir +" + tmp + " +--dir")
        .containsPattern("verbose +1 +PROGCACHE_VERBOSE")
        .containsPattern("max-age +7d +" + f + ":1")
        .containsPattern("max-size +10G +default")
        .contains("config file: " + f)
        .contains("cache directory: " + tmp);
  }

  @Test
  void config_badValue_exitsTwoNamingKeyValueAndOrigin_stillShowsTheRest() throws Exception {
    env.put("PROGCACHE_TRIM_INTERVAL", "daily");
    assertThat(run("config")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("PROGCACHE_TRIM_INTERVAL: bad value \"daily\" for trim-interval")
        .contains("e.g. 5d");
    assertThat(out()).contains("max-size");
  }

  @Test
  void config_refusesWhatTheHelperRefuses_andNeverPrintsSecrets() throws Exception {
    env.put("PROGCACHE_REMOTE", "ftp://x");
    env.put("PROGCACHE_TOKEN", "tok-S3CRET-123");
    assertThat(run("config")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--remote / PROGCACHE_REMOTE must look like http://host:port")
        .contains("ftp://x");
    env.put("PROGCACHE_REMOTE", "http://alice:pa55word@cache.example:8421/");
    out.reset();
    err.reset();
    run("config");
    String all = out() + err.toString(StandardCharsets.UTF_8);
    assertThat(all).doesNotContain("tok-S3CRET-123").doesNotContain("pa55word");
    assertThat(out())
        .containsPattern("PROGCACHE_TOKEN +<set> +PROGCACHE_TOKEN")
        .contains("http://<set>@cache.example:8421/");
    env.remove("PROGCACHE_TOKEN");
    out.reset();
    run("config");
    assertThat(out()).containsPattern("PROGCACHE_TOKEN +<unset> +default");
  }

  @Test
  void configServe_showsServesSettingsWithOrigins_neverItsSecret() throws Exception {
    Path f = tmp.resolve("c.toml");
    Files.writeString(f, "max-age = 7d\n[serve]\nlz4-min = 8K\n");
    env.put("PROGCACHE_CONFIG", f.toString());
    env.put("PROGCACHE_SERVE_MAX_SIZE", "20G");
    env.put("PROGCACHE_SERVE_UPSTREAM_TOKEN", "up-S3CRET-1");
    env.put("PROGCACHE_SERVE_UPSTREAM", "http://alice:pa55word@central.example:8421/");
    assertThat(run("config", "--serve")).isEqualTo(2);
    String all = out() + err.toString(StandardCharsets.UTF_8);
    assertThat(all).doesNotContain("up-S3CRET-1").doesNotContain("pa55word");
    assertThat(out())
        .containsPattern("max-size +20G +PROGCACHE_SERVE_MAX_SIZE")
        .containsPattern("lz4-min +8K +" + f + ":3")
        .containsPattern("listen +127.0.0.1:8421 +default")
        .containsPattern("PROGCACHE_SERVE_UPSTREAM_TOKEN +<set> +PROGCACHE_SERVE_UPSTREAM_TOKEN")
        .doesNotContain("max-age");
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("must not carry credentials")
        .contains("progcache serve would not start");
    env.remove("PROGCACHE_SERVE_UPSTREAM");
    env.remove("PROGCACHE_SERVE_UPSTREAM_TOKEN");
    env.put("PROGCACHE_SERVE_REQUEST_TIMEOUT", "soon");
    out.reset();
    err.reset();
    assertThat(run("config", "--serve")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("PROGCACHE_SERVE_REQUEST_TIMEOUT: bad value \"soon\" for request-timeout");
    assertThat(out()).containsPattern("request-timeout +60s +default");
    env.remove("PROGCACHE_SERVE_REQUEST_TIMEOUT");
    out.reset();
    err.reset();
    assertThat(run("config", "--serve")).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void trim_dryRunThenTrim_removesOldEntries() throws Exception {
    Path dir = cache(3, 10);
    cache(2, 1);
    assertThat(run("trim", "--dir", dir.toString(), "--dry-run")).isZero();
    assertThat(out())
        .contains("would remove 3 bodies (2.9 KiB)")
        .contains("2 bodies (2.0 KiB) would be left");
    out.reset();
    assertThat(run("trim", "--dir", dir.toString(), "--max-age", "12h")).isZero();
    assertThat(out()).contains("removed 5 bodies").contains("0 bodies (0 B) left");
  }

  @Test
  void stats_showsEntriesHistogramAndHitRatio() throws Exception {
    Path dir = cache(2, 10);
    cache(3, 0);
    SessionLog.append(dir, NOW, "gets=10 hits=9 misses=1 puts=1 bytes-in=100");
    SessionLog.append(dir, NOW, "gets=10 hits=7 misses=3 puts=3 bytes-in=300");
    assertThat(run("stats", "--dir", dir.toString())).isZero();
    assertThat(out())
        .contains("5 records, 5 bodies, 4.9 KiB")
        .containsPattern("< 1 hour +3 +2.9 KiB")
        .containsPattern("< 30 days +2 +2.0 KiB")
        .contains("recent sessions  2: 20 gets, 16 hits (80.0 %), 4 puts (400 B written)")
        .contains("last trim        never");
  }

  @Test
  void stats_missingDirectory_saysWhichAndWhatToDo() {
    assertThatThrownBy(() -> run("stats", "--dir", tmp.resolve("none").toString()))
        .hasMessageContaining(tmp.resolve("none").toString())
        .hasMessageContaining("--dir or PROGCACHE_DIR");
  }

  @Test
  void verify_exitsOneOnCorruption_andZeroAfterRepair() throws Exception {
    Path dir = cache(2, 0);
    try (var s = Files.walk(dir.resolve("o"))) {
      Path body = s.filter(Files::isRegularFile).findFirst().orElseThrow();
      byte[] garbage = new byte[1000];
      java.util.Arrays.fill(garbage, (byte) 0x55);
      Files.write(body, garbage);
    }
    assertThat(run("verify", "--dir", dir.toString())).isEqualTo(1);
    assertThat(out()).contains("corrupt-body: ").contains("run progcache verify --repair");
    out.reset();
    assertThat(run("verify", "--dir", dir.toString(), "--repair")).isZero();
    assertThat(out()).contains("2 problems, 2 files removed");
    out.reset();
    assertThat(run("verify", "--dir", dir.toString())).isZero();
    assertThat(out()).contains("0 problems");
  }

  @Test
  void unexpectedArgument_isUsageError() {
    assertThatThrownBy(() -> run("trim", "now")).hasMessageContaining("unexpected argument now");
    assertThatThrownBy(() -> run("verify", "--fix")).hasMessageContaining("unknown flag --fix");
  }
}
