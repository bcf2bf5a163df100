package dev.progcache.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.server.ServeConfig;
import dev.progcache.testing.TextLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class TokensTest {
  @TempDir Path tmp;

  private static String hash(String token) {
    return "sha256:" + HexFormat.of().formatHex(Tokens.sha256(token));
  }

  private Tokens load(String text, List<String> warnings) throws IOException {
    Path f = Files.writeString(tmp.resolve("tokens"), text, StandardCharsets.UTF_8);
    return Tokens.load(f, null, warnings);
  }

  @Test
  void hashedLines_grantNamespacesInOrder() throws Exception {
    List<String> w = new ArrayList<>();
    Tokens t =
        load(
            "# comment\n\n"
                + hash("main-token-xxxxxxxxxxxx")
                + " read,write name=ci-main\n"
                + hash("pr-token-xxxxxxxxxxxxxx")
                + " read,write ns=pr-1 reads=main name=pr-1\n",
            w);
    assertThat(w).isEmpty();
    Tokens.Principal main = t.check("Bearer main-token-xxxxxxxxxxxx").orElseThrow();
    assertThat(main.name()).isEqualTo("ci-main");
    assertThat(main.home()).isEqualTo("main");
    assertThat(main.mayWrite("main")).isTrue();
    assertThat(main.mayRead("pr-1")).isFalse();
    Tokens.Principal pr = t.check("bearer pr-token-xxxxxxxxxxxxxx").orElseThrow();
    assertThat(pr.readChain("pr-1")).containsExactly("pr-1", "main");
    assertThat(pr.readChain("main")).containsExactly("main");
    assertThat(pr.readChain("pr-2")).isEmpty();
    assertThat(pr.mayWrite("pr-1")).isTrue();
    assertThat(pr.mayWrite("main")).isFalse();
    assertThat(t.check("Bearer unknown-token-xxxxxxxx")).isEmpty();
    assertThat(t.check(null)).as("no anonymous principal configured").isEmpty();
    assertThat(
            Tokens.load(tmp.resolve("tokens"), Tokens.insecureAnonymous(false), new ArrayList<>())
                .check("Bearer unknown-token-xxxxxxxx"))
        .as("with a tokens file, an unknown token is refused, never anonymous")
        .isEmpty();
    assertThat(t.check("Basic dXNlcjpwYXNz")).isEmpty();
  }

  @Test
  void plaintextLines_stillWork_withAWarningThatQuotesNoToken() throws Exception {
    List<String> w = new ArrayList<>();
    Tokens t = load("legacy-token-0123456789 read,write ci\n", w);
    assertThat(t.check("Bearer legacy-token-0123456789").orElseThrow().name()).isEqualTo("ci");
    assertThat(w).hasSize(1);
    assertThat(w.get(0)).contains("plaintext").doesNotContain("legacy-token");
  }

  @Test
  void badLines_nameFileAndLine_neverTheToken() {
    Map<String, String> cases =
        Map.of(
            "secret-token-0123456789 read,admin\n",
            "unknown grant \"admin\"",
            "sha256:abcd read\n",
            "64 hex digits",
            hash("x") + " read ns=Main\n",
            "bad namespace \"Main\"",
            hash("x") + " read colour=red\n",
            "unknown key \"colour\"",
            "secret-token-0123456789\n",
            "expected sha256:HEX",
            "short read\n",
            "shorter than 16",
            "# nothing\n",
            "holds no tokens");
    cases.forEach(
        (text, message) ->
            assertThatThrownBy(() -> load(text, new ArrayList<>()))
                .hasMessageContaining(message)
                .hasMessageContaining("tokens")
                .message()
                .satisfies(m -> assertThat(m).doesNotContain("secret-token")));
  }

  @Test
  void format_roundTrips() throws Exception {
    Tokens.Principal p =
        new Tokens.Principal(
            "pr-9", EnumSet.of(Tokens.Grant.READ), "pr-9", List.of("pr-9", "main", "release"));
    String line = TokenLine.format(Tokens.sha256("tok-0123456789abcdef"), p);
    assertThat(line).startsWith("sha256:").endsWith(" read ns=pr-9 reads=main,release name=pr-9");
    Tokens t = load(line + "\n", new ArrayList<>());
    assertThat(t.check("Bearer tok-0123456789abcdef").orElseThrow()).isEqualTo(p);
  }

  @Test
  void anonymous_isReadOnlyUnlessWriteIsAskedFor() {
    Tokens ro = Tokens.anonymousOnly(Tokens.insecureAnonymous(false));
    assertThat(ro.check(null).orElseThrow().mayWrite("main")).isFalse();
    assertThat(ro.check(null).orElseThrow().mayRead("main")).isTrue();
    assertThat(ro.check("Bearer whatever-token-000000").orElseThrow().mayWrite("main"))
        .as("without a tokens file a token means nothing")
        .isFalse();
    assertThat(Tokens.insecureAnonymous(true).mayWrite("main")).isTrue();
  }

  @Test
  void serveConfig_nonLoopback_needsTokensOrInsecureAnonymous() throws Exception {
    assertThatThrownBy(() -> ServeConfig.parse(List.of("--listen", "0.0.0.0:0"), Map.of()))
        .hasMessageContaining("without --tokens");
    ServeConfig c =
        ServeConfig.parse(List.of("--listen", "0.0.0.0:0", "--insecure-anonymous"), Map.of());
    assertThat(c.trust().insecureAnonymous()).isTrue();
    assertThat(c.trust().anonymousWrite()).isFalse();
    assertThatThrownBy(() -> ServeConfig.parse(List.of("--anonymous-write"), Map.of()))
        .hasMessageContaining("needs --insecure-anonymous");
    assertThat(
            ServeConfig.parse(List.of("--max-ns-size", "2G"), Map.of()).trust().maxNamespaceSize())
        .isEqualTo(2L << 30);
  }

  @Test
  void s41_revokedToken_stopsWorking_evenWhenAnotherLineIsMalformed() throws Exception {
    Path f =
        Files.writeString(
            tmp.resolve("tokens"),
            hash("first-token-0123456789")
                + " read name=a\n"
                + hash("second-token-0123456789")
                + " read name=b\n");
    TextLog err = new TextLog();
    try (TokenWatcher w = TokenWatcher.start(f, null, err, java.time.Duration.ofHours(1))) {
      assertThat(w.get().check("Bearer first-token-0123456789")).isPresent();
      Files.writeString(f, hash("second-token-0123456789") + " read name=b\ngarbage line\n");
      assertThat(w.check()).isTrue();
      assertThat(w.get().check("Bearer first-token-0123456789")).as("revoked").isEmpty();
      assertThat(w.get().check("Bearer second-token-0123456789")).as("still listed").isPresent();
      assertThat(w.check()).as("unchanged since").isFalse();
    }
    assertThat(err.text()).contains("line 2").contains("skipped").contains("reloaded");
  }

  @Test
  void s41_emptiedOrDeletedTokensFile_revokesEveryToken_withOneLoudLine() throws Exception {
    Path f = Files.writeString(tmp.resolve("tokens"), hash("first-token-0123456789") + " read\n");
    TextLog err = new TextLog();
    try (TokenWatcher w = TokenWatcher.start(f, null, err, java.time.Duration.ofHours(1))) {
      Files.writeString(f, "");
      assertThat(w.check()).isTrue();
      assertThat(w.get().check("Bearer first-token-0123456789")).isEmpty();
      Files.writeString(f, hash("first-token-0123456789") + " read\n");
      assertThat(w.check()).isTrue();
      assertThat(w.get().check("Bearer first-token-0123456789")).isPresent();
      Files.delete(f);
      assertThat(w.check()).isTrue();
      assertThat(w.get().check("Bearer first-token-0123456789")).isEmpty();
      assertThat(w.check()).as("still missing: said once").isFalse();
    }
    assertThat(err.text().lines().filter(l -> l.contains("NO token is valid")).count())
        .isEqualTo(2);
  }

  @Test
  void s41_duplicateNames_areRefused() throws Exception {
    String text =
        hash("first-token-0123456789")
            + " read name=ci\n"
            + hash("second-token-0123456789")
            + " write name=ci\n";
    assertThatThrownBy(() -> load(text, new ArrayList<>()))
        .hasMessageContaining("already used on line 1");
    List<String> problems = new ArrayList<>();
    Tokens t = Tokens.lenient(text.lines().toList(), "tokens", null, problems);
    assertThat(t.check("Bearer second-token-0123456789")).isEmpty();
    assertThat(problems).singleElement().asString().contains("line 2");
  }

  @Test
  void s41_tokenCommand_listsAndRevokesByName_andRefusesATakenName() throws Exception {
    Path f = tmp.resolve("tokens");
    TextLog out = new TextLog();
    TextLog err = new TextLog();
    List<String> create = List.of("create", "--tokens", f.toString(), "--read", "--name", "ci");
    assertThat(TokenCommand.run(create, out, err)).isZero();
    assertThat(
            TokenCommand.run(
                List.of("create", "--tokens", f.toString(), "--metrics", "--name", "scraper"),
                out,
                err))
        .isZero();
    assertThat(TokenCommand.run(create, out, err)).as(err.text()).isNotZero();
    assertThat(err.text()).contains("already on line 1");
    TextLog listed = new TextLog();
    assertThat(TokenCommand.run(List.of("list", "--tokens", f.toString()), listed, err)).isZero();
    assertThat(listed.text()).isEqualTo("ci read ns=main\nscraper metrics ns=main\n");
    assertThat(TokenCommand.run(List.of("revoke", "--tokens", f.toString(), "ci"), out, err))
        .isZero();
    assertThat(Files.readString(f)).doesNotContain("name=ci").contains("name=scraper");
    assertThat(TokenCommand.run(List.of("revoke", "--tokens", f.toString(), "ci"), out, err))
        .isEqualTo(2);
    assertThat(err.text()).contains("no token named \"ci\"");
  }
}
