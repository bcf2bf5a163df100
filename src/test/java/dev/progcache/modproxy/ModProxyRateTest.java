package dev.progcache.modproxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.server.CacheServer;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** --modproxy-rate: each token's module requests per second are bounded; beyond, 429. */
@Timeout(120)
class ModProxyRateTest {
  private static final String CI = "ci-token-0123456789";
  private static final String DEV = "dev-token-0123456789";
  @TempDir Path tmp;
  private Fixture fx;

  @AfterEach
  void tearDown() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  void overTheRate_429WithRetryAfter_perToken_andAgainAfterASecond() throws Exception {
    fx = new Fixture(tmp);
    Path tokens = tmp.resolve("tokens");
    Files.writeString(tokens, CI + " modules ci\n" + DEV + " modules dev\n");
    CacheServer server =
        fx.serve(
            "srv",
            Fixture.settings(fx.upstream.url().toString(), Duration.ofSeconds(60)).withRate(3),
            tokens);
    URI info = server.url().resolve("mod/example.com/a/@v/v1.0.0.info");
    // the bucket refills 3 per second: the 4th and later of a quick burst are refused
    int refused = 0;
    HttpResponse<byte[]> last = null;
    for (int i = 0; i < 6; i++) {
      HttpResponse<byte[]> r = fx.get(info, CI);
      if (r.statusCode() == 429) {
        refused++;
        last = r;
      } else {
        assertThat(r.statusCode()).isEqualTo(200);
      }
    }
    assertThat(refused).as("6 requests at once against 3 per second").isGreaterThanOrEqualTo(2);
    assertThat(last.headers().firstValue("Retry-After")).contains("1");
    assertThat(new String(last.body(), StandardCharsets.UTF_8))
        .contains("too many module requests")
        .contains("--modproxy-rate")
        .doesNotContain(CI);
    assertThat(fx.get(info, DEV).statusCode())
        .as("another token has its own bucket")
        .isEqualTo(200);
    Thread.sleep(1100);
    assertThat(fx.get(info, CI).statusCode()).as("refilled after a second").isEqualTo(200);
  }

  @Test
  void withoutTheSetting_noBound() throws Exception {
    fx = new Fixture(tmp);
    Path tokens = tmp.resolve("tokens");
    Files.writeString(tokens, CI + " modules ci\n");
    CacheServer server =
        fx.serve(
            "srv", Fixture.settings(fx.upstream.url().toString(), Duration.ofSeconds(60)), tokens);
    URI info = server.url().resolve("mod/example.com/a/@v/v1.0.0.info");
    for (int i = 0; i < 20; i++) {
      assertThat(fx.get(info, CI).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void bucket_refillsContinuously_andIsPerPrincipal() {
    AtomicLong now = new AtomicLong();
    TokenRates r = new TokenRates(2, now::get);
    assertThat(r.allow("a")).isTrue();
    assertThat(r.allow("a")).isTrue();
    assertThat(r.allow("a")).isFalse();
    assertThat(r.allow("b")).isTrue();
    now.addAndGet(500_000_000L); // half a second: one more
    assertThat(r.allow("a")).isTrue();
    assertThat(r.allow("a")).isFalse();
    now.addAndGet(10_000_000_000L); // a long pause fills the bucket, no more
    assertThat(r.allow("a")).isTrue();
    assertThat(r.allow("a")).isTrue();
    assertThat(r.allow("a")).isFalse();
  }
}
