package dev.progcache.it;

import static dev.progcache.testing.Hashes.sha;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.testing.S3Proxy;
import dev.progcache.testing.ServeProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code progcache serve --s3}: two replicas on different ports over one bucket see each other's
 * writes; a small disk is only a hot tier; a PUT is answered 204 only once the bucket has it.
 */
@Timeout(300)
class S3ServeReplicasIT {
  @TempDir Path tmp;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  private int put(URI server, String action, byte[] body) throws Exception {
    HttpRequest r =
        HttpRequest.newBuilder(server.resolve("/" + action + "/" + sha(body)))
            .timeout(Duration.ofSeconds(30))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private HttpResponse<byte[]> get(URI server, String action) throws Exception {
    HttpRequest r =
        HttpRequest.newBuilder(server.resolve("/action/" + action))
            .timeout(Duration.ofSeconds(30))
            .header("Want-Object", "1")
            .GET()
            .build();
    return http.send(r, HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void twoReplicas_oneBucket_seeEachOthersWrites_hotTierEvicts_putNeedsBucket() throws Exception {
    try (S3Proxy s3 = S3Proxy.start(tmp.resolve("s3"))) {
      s3.createBucket("replicas");
      try (ServeProcess a =
              ServeProcess.start(
                  "127.0.0.1:0",
                  tmp.resolve("a"),
                  s3.env(),
                  "--s3",
                  "s3://replicas/shared",
                  "--max-size",
                  "64K",
                  "--no-access-log");
          ServeProcess b =
              ServeProcess.start(
                  "127.0.0.1:0",
                  tmp.resolve("b"),
                  s3.env(),
                  "--s3",
                  "s3://replicas/shared",
                  "--no-access-log")) {
        assertThat(a.port()).isNotEqualTo(b.port());
        assertThat(a.stderr()).contains("backed by s3://replicas/shared");
        Random rnd = new Random(3);
        byte[][] bodies = new byte[8][];
        String[] actions = new String[bodies.length];
        for (int i = 0; i < bodies.length; i++) {
          bodies[i] = new byte[20_000 + i];
          rnd.nextBytes(bodies[i]);
          actions[i] = sha(new byte[] {(byte) i, 42});
          assertThat(put(a.url(), actions[i], bodies[i]))
              .as("PUT %d; %s", i, a.stderr())
              .isEqualTo(204);
        }
        // durable before 204: the bucket already holds every object
        assertThat(s3.objects("replicas")).hasSize(bodies.length);
        for (int i = 0; i < bodies.length; i++) {
          HttpResponse<byte[]> r = get(b.url(), actions[i]);
          assertThat(r.statusCode())
              .as("GET %d from the other replica; %s", i, b.stderr())
              .isEqualTo(200);
          assertThat(r.headers().firstValue("Go-Output-Id")).hasValue(sha(bodies[i]));
          assertThat(r.body()).isEqualTo(bodies[i]);
        }
        // A's 64K disk kept only some of its 160K; the rest comes back from the bucket
        for (int i = 0; i < bodies.length; i++) {
          HttpResponse<byte[]> r = get(a.url(), actions[i]);
          assertThat(r.statusCode()).as("GET %d from A after eviction", i).isEqualTo(200);
          assertThat(r.body()).isEqualTo(bodies[i]);
        }
        assertThat(get(b.url(), sha(new byte[] {9, 9})).statusCode()).isEqualTo(404);

        // a write written to B reaches A
        byte[] late = "written through B".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String lateAction = sha(new byte[] {77});
        assertThat(put(b.url(), lateAction, late)).isEqualTo(204);
        assertThat(get(a.url(), lateAction).body()).isEqualTo(late);

        // without the bucket a PUT is not acknowledged, and reads still answer (misses)
        s3.kill();
        byte[] lost = "not durable".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(put(a.url(), sha(new byte[] {78}), lost)).isEqualTo(503);
        assertThat(get(b.url(), sha(new byte[] {79})).statusCode()).isEqualTo(404);
      }
    }
  }
}
