package dev.progcache.remote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Key;
import dev.progcache.cache.Stats;
import dev.progcache.disk.DiskStore;
import dev.progcache.remote.http.HttpTier;
import dev.progcache.remote.http.TokenGrants;
import dev.progcache.server.CacheServer;
import dev.progcache.server.ServeConfig;
import dev.progcache.server.auth.TokenCommand;
import dev.progcache.testing.Hashes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A token the server says may not write makes the tier read-only, quietly, after one question. */
@Timeout(60)
class WriteGrantTest {
  @TempDir Path tmp;
  private final ByteArrayOutputStream said = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(said, true, StandardCharsets.UTF_8);

  private String token(Path tokens, String... grants) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> args = new ArrayList<>(List.of("create", "--tokens", tokens.toString()));
    args.addAll(List.of(grants));
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    assertThat(TokenCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), quiet))
        .isZero();
    return out.toString(StandardCharsets.UTF_8).strip();
  }

  private CacheServer server(Path tokens) throws Exception {
    ServeConfig.Limits l =
        new ServeConfig.Limits(1 << 30, 1 << 30, 64, Duration.ofSeconds(10), 8192, 4096);
    return CacheServer.start(
        ServeConfig.onDisk("127.0.0.1", 0, tmp.resolve("srv"), tokens, l, false), err);
  }

  private TieredCache tier(String dir, URI url, String token, Stats stats) throws Exception {
    DiskStore local = DiskStore.open(tmp.resolve(dir), System::currentTimeMillis, stats);
    RemoteLog log = new RemoteLog(stats, err);
    HttpTier http = new HttpTier(HttpTier.Config.of(url, token));
    RemoteTier remote =
        new WriteGrant(
            new BestEffort(http, url.toString(), BestEffort.Policy.DEFAULT, log),
            () -> TokenGrants.ask(http).map(TokenGrants.Answer::write),
            WriteGrant.Timing.DEFAULT,
            log);
    return new TieredCache(local, remote, new Uploader(remote, Uploader.Limits.DEFAULT, log));
  }

  private static void put(TieredCache c, byte[] body) throws Exception {
    c.put(
        Hashes.key(body),
        Hashes.key(body),
        body.length,
        out -> {
          out.write(body);
          return body.length;
        });
  }

  @Test
  void grants_sayWhatTheTokenMayDo_inItsNamespace_neverTheToken() throws Exception {
    Path tokens = tmp.resolve("tokens");
    String rw = token(tokens, "--read", "--write", "--name", "ci");
    String ro = token(tokens, "--read", "--name", "dev");
    try (CacheServer s = server(tokens);
        HttpTier writer = new HttpTier(HttpTier.Config.of(s.url(), rw));
        HttpTier reader = new HttpTier(HttpTier.Config.of(s.url(), ro));
        HttpTier elsewhere = writer.under("ns/pr-1/");
        HttpTier nobody = new HttpTier(HttpTier.Config.of(s.url(), "not-a-token"))) {
      assertThat(TokenGrants.ask(writer))
          .contains(new TokenGrants.Answer("ci", "main", true, true));
      assertThat(TokenGrants.ask(reader))
          .contains(new TokenGrants.Answer("dev", "main", true, false));
      assertThat(TokenGrants.ask(elsewhere))
          .contains(new TokenGrants.Answer("ci", "pr-1", false, false));
      try {
        TokenGrants.ask(nobody);
        throw new AssertionError("an unknown token got grants");
      } catch (RemoteException e) {
        assertThat(e.kind()).isEqualTo(RemoteException.Kind.UNAUTHENTICATED);
      }
      java.net.http.HttpResponse<String> raw =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(s.url().resolve("grants"))
                      .header("Authorization", "Bearer " + ro)
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(raw.body()).doesNotContain(ro).contains("\"grants\":[\"read\"]");
    }
  }

  @Test
  void readOnlyToken_uploadsSkippedQuietly_afterOneQuestion() throws Exception {
    Path tokens = tmp.resolve("tokens");
    String ro = token(tokens, "--read", "--name", "dev");
    try (CacheServer s = server(tokens)) {
      Stats stats = new Stats();
      try (TieredCache c = tier("ro", s.url(), ro, stats)) {
        for (int i = 0; i < 5; i++) {
          put(c, ("body " + i).getBytes(StandardCharsets.UTF_8));
        }
      }
      assertThat(stats.get(ReadOnly.SKIPPED)).isEqualTo(5);
      assertThat(stats.get(RemoteLog.UPLOADS)).isZero();
      assertThat(stats.get(RemoteLog.UPLOAD_REJECTED)).as("no upload reached the server").isZero();
      assertThat(said.toString(StandardCharsets.UTF_8))
          .doesNotContainPattern("\\b403\\b")
          .doesNotContain("refused");
    }
  }

  @Test
  void writeToken_uploads() throws Exception {
    Path tokens = tmp.resolve("tokens");
    String rw = token(tokens, "--read", "--write", "--name", "ci");
    try (CacheServer s = server(tokens)) {
      Stats stats = new Stats();
      try (TieredCache c = tier("rw", s.url(), rw, stats)) {
        put(c, "shared".getBytes(StandardCharsets.UTF_8));
      }
      assertThat(stats.get(RemoteLog.UPLOADS)).isEqualTo(1);
      assertThat(stats.get(ReadOnly.SKIPPED)).isZero();
    }
  }

  /** Counts uploads that reach it. */
  private static final class Counting implements RemoteTier {
    final AtomicInteger puts = new AtomicInteger();

    @Override
    public Optional<dev.progcache.cache.Hit> get(Key action, ObjectSink sink) {
      return Optional.empty();
    }

    @Override
    public void put(Key action, Key output, long size, Path body) {
      puts.incrementAndGet();
    }

    @Override
    public void close() {}
  }

  @Test
  void answer_isAskedOnce_thenAgainAfterItsTtl_andAnUnknownAnswerLetsUploadsThrough()
      throws Exception {
    AtomicLong now = new AtomicLong();
    AtomicInteger questions = new AtomicInteger();
    java.util.concurrent.atomic.AtomicReference<Optional<Boolean>> says =
        new java.util.concurrent.atomic.AtomicReference<>(Optional.of(false));
    Counting inner = new Counting();
    Stats stats = new Stats();
    WriteGrant g =
        new WriteGrant(
            inner,
            () -> {
              questions.incrementAndGet();
              return says.get();
            },
            new WriteGrant.Timing(Duration.ofMinutes(10), Duration.ofSeconds(5)),
            new RemoteLog(stats, err),
            now::get);
    Path body = Files.writeString(tmp.resolve("b"), "x");
    Key k = Hashes.key(new byte[] {1});
    assertThat(g.readOnly()).as("nothing asked yet").isFalse();
    g.put(k, k, 1, body);
    g.put(k, k, 1, body);
    assertThat(inner.puts).hasValue(0);
    assertThat(questions).hasValue(1);
    assertThat(g.readOnly()).isTrue();
    now.addAndGet(Duration.ofMinutes(9).toNanos());
    g.put(k, k, 1, body);
    assertThat(questions).as("remembered within its ttl").hasValue(1);
    says.set(Optional.of(true)); // the token was given the write grant
    now.addAndGet(Duration.ofMinutes(2).toNanos());
    g.put(k, k, 1, body);
    assertThat(questions).hasValue(2);
    assertThat(inner.puts).hasValue(1);
    assertThat(g.readOnly()).isFalse();
    says.set(Optional.empty()); // the server cannot say: uploads go on as before
    now.addAndGet(Duration.ofMinutes(11).toNanos());
    g.put(k, k, 1, body);
    assertThat(inner.puts).hasValue(2);
    assertThat(stats.get(ReadOnly.SKIPPED)).isEqualTo(3);
  }
}
