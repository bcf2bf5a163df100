package dev.progcache.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.server.CacheServer;
import dev.progcache.server.ServeConfig;
import dev.progcache.server.ServeException;
import dev.progcache.testing.TextLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The claim rules file: syntax, first match wins, templated namespaces, and OIDC settings. */
@Timeout(30)
class ClaimRulesTest {
  @TempDir Path tmp;

  private ClaimRules rules(String text) throws IOException {
    return ClaimRules.load(Files.writeString(tmp.resolve("rules"), text));
  }

  private String loadError(String text) {
    return assertThatThrownBy(() -> rules(text))
        .isInstanceOf(IOException.class)
        .actual()
        .getMessage();
  }

  @Test
  void firstMatchingRuleWins_andNoMatchIsRefused() throws Exception {
    ClaimRules r =
        rules(
            """
            repository=acme/app ref=refs/heads/main event_name=push -> read,write ns=main
            repository=acme/app ref=refs/heads/release/* -> read write ns=release reads=main name=rel
            repository_owner=acme -> read
            """);
    Tokens.Principal main =
        r.decide(Map.of("repository", "acme/app", "ref", "refs/heads/main", "event_name", "push"))
            .principal();
    assertThat(main.grants()).containsExactlyInAnyOrder(Tokens.Grant.READ, Tokens.Grant.WRITE);
    assertThat(main.home()).isEqualTo("main");
    assertThat(main.name()).isEqualTo("oidc:acme/app@refs/heads/main");

    Tokens.Principal rel =
        r.decide(Map.of("repository", "acme/app", "ref", "refs/heads/release/1.2")).principal();
    assertThat(rel.home()).isEqualTo("release");
    assertThat(rel.reads()).containsExactly("release", "main");
    assertThat(rel.name()).isEqualTo("rel");

    Tokens.Principal reader =
        r.decide(
                Map.of(
                    "repository",
                    "acme/app",
                    "repository_owner",
                    "acme",
                    "ref",
                    "refs/heads/main",
                    "event_name",
                    "pull_request"))
            .principal();
    assertThat(reader.grants()).containsExactly(Tokens.Grant.READ);

    ClaimRules.Decision none =
        r.decide(Map.of("repository", "evil/app", "repository_owner", "evil"));
    assertThat(none.principal()).isNull();
    assertThat(none.reason()).contains("no rule");
  }

  @Test
  void exampleOfDocsRemoteMd_parsesAndDecidesAsDocumented() throws Exception {
    String doc = Files.readString(Path.of("docs", "remote.md"));
    int from = doc.indexOf("# CLAIM=VALUE... -> GRANTS");
    ClaimRules r = rules(doc.substring(from, doc.indexOf("```", from)));
    Map<String, Object> tag =
        Map.of("repository", "acme/app", "ref", "refs/tags/v1.4.0", "event_name", "push");
    assertThat(r.decide(tag).principal().mayWrite("main")).isTrue();
    Map<String, Object> pr =
        Map.of("repository", "acme/app", "ref", "refs/pull/9/merge", "event_name", "pull_request");
    assertThat(r.decide(pr).principal().reads()).containsExactly("pr-9", "main");
    Map<String, Object> other =
        Map.of(
            "repository",
            "acme/lib",
            "repository_owner",
            "acme",
            "ref",
            "refs/heads/main",
            "event_name",
            "push");
    assertThat(r.decide(other).principal().mayWrite("main")).isFalse();
  }

  @Test
  void prNumber_isDerivedFromTheRef_andTheTemplateIsSanitised() throws Exception {
    ClaimRules r =
        rules(
            """
            event_name=pull_request -> read,write ns=pr-${pr} reads=main
            event_name=workflow_dispatch -> read,write ns=br-${ref}
            """);
    Tokens.Principal pr =
        r.decide(Map.of("event_name", "pull_request", "ref", "refs/pull/481/merge")).principal();
    assertThat(pr.home()).isEqualTo("pr-481");
    assertThat(pr.reads()).containsExactly("pr-481", "main");
    assertThat(pr.mayWrite("main")).isFalse();
    Tokens.Principal br =
        r.decide(Map.of("event_name", "workflow_dispatch", "ref", "refs/heads/Feature/X Y"))
            .principal();
    assertThat(br.home()).isEqualTo("br-refs-heads-feature-x-y");
  }

  @Test
  void templateThatCannotBeFilled_deniesWithoutTryingLaterRules() throws Exception {
    ClaimRules r =
        rules(
            """
            event_name=pull_request -> read,write ns=pr-${pr} reads=main
            repository=acme/app -> read,write ns=main
            """);
    ClaimRules.Decision d =
        r.decide(
            Map.of(
                "event_name", "pull_request", "repository", "acme/app", "ref", "refs/heads/main"));
    assertThat(d.principal()).as("a PR without a PR ref must not fall through to main").isNull();
    String longRef = "refs/heads/" + "x".repeat(80);
    ClaimRules r2 = rules("repository=acme/app -> read,write ns=b-${ref}\n");
    assertThat(r2.decide(Map.of("repository", "acme/app", "ref", longRef)).principal())
        .as("too long")
        .isNull();
  }

  @Test
  void templatedNamespace_neverEqualsALiteralOne() throws Exception {
    ClaimRules r =
        rules(
            """
            event_name=push ref=refs/heads/main -> read,write ns=main
            event_name=push -> read,write ns=release reads=main
            event_name=pull_request -> read,write ns=${head_ref} reads=main
            """);
    for (String branch : List.of("main", "MAIN", "release", "Release")) {
      assertThat(r.decide(Map.of("event_name", "pull_request", "head_ref", branch)).principal())
          .as(branch)
          .isNull();
    }
    assertThat(
            r.decide(Map.of("event_name", "pull_request", "head_ref", "fix-1")).principal().home())
        .isEqualTo("fix-1");
  }

  @Test
  void nonStringClaims_andControlCharactersInNames() throws Exception {
    ClaimRules r = rules("run_attempt=1 -> read name=run-${run_id}\nrepository=a/b -> read\n");
    assertThat(r.decide(Map.of("run_attempt", 1L, "run_id", 42L)).principal().name())
        .isEqualTo("run-42");
    assertThat(r.decide(Map.of("repository", "a/b", "ref", "x y\n\u001b[2J")).principal().name())
        .isEqualTo("oidc:a/b@x?y??[2J");
    assertThat(r.decide(Map.of("repository", List.of("a/b"))).principal()).isNull();
  }

  @Test
  void malformedRules_areRefusedWithFileAndLine() throws Exception {
    assertThat(loadError("# only a comment\n")).contains("holds no rules");
    assertThat(loadError("repository=a/b read\n")).contains("line 1").contains("->");
    assertThat(loadError("\n-> read,write\n"))
        .contains("line 2")
        .contains("at least one CLAIM=VALUE");
    assertThat(loadError("repository=a/b -> read,admin\n")).contains("unknown grant \"admin\"");
    assertThat(loadError("repository=a/b -> read ns=Main\n")).contains("bad namespace");
    assertThat(loadError("repository=a/b -> read ns=pr-${pr\n")).contains("bad namespace");
    assertThat(loadError("repository=a/b -> read reads=x/y\n")).contains("bad namespace");
    assertThat(loadError("repository=a/b -> read owner=x\n")).contains("unknown key");
    assertThat(loadError("repository -> read\n")).contains("not CLAIM=VALUE");
    assertThat(loadError("repository=a/b ->\n")).contains("no grants");
  }

  @Test
  void oidcFlags_areCheckedAtStart() {
    Path rules = tmp.resolve("r");
    assertThatThrownBy(() -> parse("--oidc-audience", "x"))
        .hasMessageContaining("need --oidc-issuer");
    assertThatThrownBy(
            () ->
                parse("--oidc-issuer", "https://issuer.example", "--oidc-rules", rules.toString()))
        .hasMessageContaining("--oidc-audience");
    assertThatThrownBy(
            () -> parse("--oidc-issuer", "https://issuer.example", "--oidc-audience", "a"))
        .hasMessageContaining("--oidc-rules");
    assertThatThrownBy(
            () ->
                parse(
                    "--oidc-issuer",
                    "http://issuer.example",
                    "--oidc-audience",
                    "a",
                    "--oidc-rules",
                    "r"))
        .hasMessageContaining("https");
    assertThatThrownBy(
            () -> parse("--oidc-issuer", "ftp://x", "--oidc-audience", "a", "--oidc-rules", "r"))
        .hasMessageContaining("expected https://");
    assertThatThrownBy(
            () ->
                parse(
                    "--oidc-issuer",
                    "https://i.example/.well-known/openid-configuration",
                    "--oidc-audience",
                    "a",
                    "--oidc-rules",
                    "r"))
        .hasMessageContaining("without /.well-known");
    assertThatThrownBy(() -> parse("--listen", "0.0.0.0:0")).hasMessageContaining("--oidc-issuer");
  }

  @Test
  void oidcAlone_mayListenOffLoopback() throws Exception {
    ServeConfig c =
        parse(
            "--listen",
            "0.0.0.0:0",
            "--oidc-issuer",
            "https://token.actions.githubusercontent.com",
            "--oidc-audience",
            "cache",
            "--oidc-rules",
            "r",
            "--max-namespaces",
            "10");
    assertThat(c.trust().oidc().discovery().toString())
        .isEqualTo("https://token.actions.githubusercontent.com/.well-known/openid-configuration");
    assertThat(c.trust().maxNamespaces()).isEqualTo(10);
    assertThat(c.authenticated()).isTrue();
    ServeConfig env =
        ServeConfig.parse(
            List.of(),
            Map.of(
                "PROGCACHE_SERVE_OIDC_ISSUER",
                "https://i.example",
                "PROGCACHE_SERVE_OIDC_AUDIENCE",
                "a",
                "PROGCACHE_SERVE_OIDC_RULES",
                "r"));
    assertThat(env.trust().oidc().audience()).isEqualTo("a");
  }

  @Test
  void missingRulesFile_failsTheStartWithItsName() throws Exception {
    ServeConfig c =
        parse(
            "--dir",
            tmp.resolve("d").toString(),
            "--oidc-issuer",
            "https://i.example",
            "--oidc-audience",
            "a",
            "--oidc-rules",
            tmp.resolve("nope").toString());
    assertThatThrownBy(() -> CacheServer.start(c, new TextLog()))
        .isInstanceOf(ServeException.class)
        .hasMessageContaining("OIDC rules")
        .hasMessageContaining("nope");
  }

  private static ServeConfig parse(String... args) throws ServeException {
    return ServeConfig.parse(List.of(args), Map.of());
  }
}
