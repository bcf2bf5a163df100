package dev.progcache.server.http;

import static dev.progcache.testing.Hashes.action;
import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.cache.Key;
import dev.progcache.server.http.Route.Kind;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RouteTest {
  private static final String A = action(1);
  private static final String O = action(2);

  @Test
  void actionGet_inNamespace_carriesNamespaceAndId() {
    Route r = Route.parse("GET", "/ns/pr-1/action/" + A);
    assertThat(r.kind()).isEqualTo(Kind.ACTION);
    assertThat(r.namespace()).isEqualTo("pr-1");
    assertThat(r.id()).isEqualTo(Key.ofHex(A));
  }

  @Test
  void head_isARead() {
    assertThat(Route.parse("HEAD", "/output/" + O).kind()).isEqualTo(Kind.OUTPUT);
    assertThat(Route.parse("HEAD", "/healthz").kind()).isEqualTo(Kind.HEALTH);
  }

  @Test
  void put_carriesBothIds_inHomeNamespace() {
    Route r = Route.parse("PUT", "/" + A + "/" + O);
    assertThat(r.kind()).isEqualTo(Kind.PUT);
    assertThat(r.namespace()).isNull();
    assertThat(r.id()).isEqualTo(Key.ofHex(A));
    assertThat(r.output()).isEqualTo(Key.ofHex(O));
  }

  @Test
  void badIds_areBadId_notNotFound() {
    assertThat(Route.parse("GET", "/action/abc").kind()).isEqualTo(Kind.BAD_ID);
    assertThat(Route.parse("PUT", "/" + A + "/xyz").kind()).isEqualTo(Kind.BAD_ID);
    assertThat(Route.parse("POST", "/manifest/" + A.toUpperCase().replace('A', 'G')).kind())
        .isEqualTo(Kind.BAD_ID);
  }

  @Test
  void manifest_getAndPost_areTwoKinds() {
    assertThat(Route.parse("GET", "/manifest/" + A).kind()).isEqualTo(Kind.MANIFEST_GET);
    assertThat(Route.parse("POST", "/ns/main/manifest/" + A).kind()).isEqualTo(Kind.MANIFEST_POST);
    assertThat(Route.parse("PUT", "/manifest/" + A).kind()).isEqualTo(Kind.BAD_ID);
  }

  @Test
  void batch_onlyAsPost() {
    assertThat(Route.parse("POST", "/ns/main/batch").kind()).isEqualTo(Kind.BATCH);
    assertThat(Route.parse("GET", "/batch").kind()).isEqualTo(Kind.NOT_FOUND);
  }

  @Test
  void badNamespace_isRefused_beforeAnythingElse() {
    assertThat(Route.parse("GET", "/ns/Bad!/action/" + A).kind()).isEqualTo(Kind.BAD_NAMESPACE);
  }

  @Test
  void metricsAndHealth_areNotNamespaced() {
    assertThat(Route.parse("GET", "/metrics").kind()).isEqualTo(Kind.METRICS);
    assertThat(Route.parse("GET", "/ns/main/metrics").kind()).isEqualTo(Kind.NOT_FOUND);
    assertThat(Route.parse("POST", "/metrics").kind()).isEqualTo(Kind.NOT_FOUND);
    assertThat(Route.parse("GET", "/a/b/c").kind()).isEqualTo(Kind.NOT_FOUND);
  }
}
