package dev.progcache.modproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Parsing module proxy paths, the zip check, upstream lists and credential files. */
@Timeout(30)
class ModRequestTest {
  @TempDir Path tmp;

  @Test
  void parse_decodesCaseEncoding_andNamesTheStoreFileByTheEncodedPath() {
    ModRequest r =
        ModRequest.parse("github.com/!azure/azure-sdk/@v/v1.2.3-!r!c1.zip").orElseThrow();

    assertThat(r.kind()).isEqualTo(ModRequest.Kind.ZIP);
    assertThat(r.path()).isEqualTo("github.com/Azure/azure-sdk");
    assertThat(r.version()).isEqualTo("v1.2.3-RC1");
    assertThat(r.storeKey()).isEqualTo("m/github.com/!azure/azure-sdk/@v/v1.2.3-!r!c1.zip");
    assertThat(ModulePath.escape(r.path())).isEqualTo(r.escapedPath());
    assertThat(
            ModRequest.parse("example.com/old/@v/v2.0.0+incompatible.mod").orElseThrow().version())
        .isEqualTo("v2.0.0+incompatible");
    assertThat(ModRequest.parse("example.com/a/@latest").orElseThrow().storeKey())
        .isEqualTo("l/example.com/a/@latest");
    assertThat(ModRequest.parse("example.com/a/@v/list").orElseThrow().kind())
        .isEqualTo(ModRequest.Kind.LIST);
  }

  @Test
  void parse_refusesAnythingThatCouldLeaveTheStoreOrCollideByCase() {
    for (String bad :
        new String[] {
          "Example.com/a/@v/list",
          "example.com/../x/@v/list",
          "../x/@v/list",
          "example.com/./a/@v/list",
          "example.com//a/@v/list",
          "example.com/a/@v/../../x.zip",
          "example.com/a/@v/v1!.zip",
          "example.com/a/@v/!A.zip",
          "example.com/a/@v/v1/x.zip",
          "example.com/a/@v/.zip",
          "example.com/a/@v/v1.exe",
          "example.com/a\\b/@v/list",
          "example.com/a@b/@v/list",
          "example.com/a/@v/",
          "-x/@v/list",
          ".x/@v/list",
          "example.com/a/@v/...zip",
          "example.com/a./@v/list",
          "x".repeat(1100) + "/@v/list"
        }) {
      assertThat(ModRequest.parse(bad)).as(bad).isEmpty();
    }
  }

  @Test
  void sumdbPath_storesTilesUnderS_keepsTheRestUnderL_andChecksTileWidths() throws Exception {
    SumdbPath partial = SumdbPath.parse("sum.test/tile/8/0/x001/234.p/5").orElseThrow();
    SumdbPath full = SumdbPath.parse("sum.test/tile/8/1/000").orElseThrow();
    SumdbPath data = SumdbPath.parse("sum.test/tile/8/data/000.p/3").orElseThrow();
    SumdbPath lookup = SumdbPath.parse("sum.test/lookup/example.com/!a@v1.0.0").orElseThrow();
    Path f = tmp.resolve("tile");

    assertThat(partial.storeKey()).isEqualTo("s/sum.test/tile/8/0/x001/234.p/5");
    assertThat(lookup.storeKey()).isEqualTo("l/sumdb/sum.test/lookup/example.com/!a@v1.0.0");
    assertThat(lookup.upstreamPath()).isEqualTo("sumdb/sum.test/lookup/example.com/!a@v1.0.0");
    Files.write(f, new byte[5 * 32]);
    assertThat(partial.check().problem(f)).isEmpty();
    assertThat(full.check().problem(f))
        .get()
        .asString()
        .contains("has 160 bytes, not the 8192 of 256 hashes");
    Files.write(f, new byte[7]);
    assertThat(data.check().problem(f)).isEmpty();
    assertThat(partial.check().problem(f)).isPresent();
  }

  @Test
  void zipCheck_acceptsEntriesUnderModuleAtVersion_only() throws Exception {
    Path good = tmp.resolve("good.zip");
    Files.write(
        good,
        ModuleTree.zip(
            "example.com/Up@v1.0.0/",
            Map.of("go.mod", "module example.com/Up\n", "x/y.go", "package y\n")));
    Path foreign = tmp.resolve("foreign.zip");
    Files.write(foreign, ModuleTree.zip("example.com/up@v1.0.0/", Map.of("go.mod", "module x\n")));
    Path dots = tmp.resolve("dots.zip");
    Files.write(dots, ModuleTree.zip("example.com/Up@v1.0.0/", Map.of("../../evil", "x")));
    Path cut = tmp.resolve("cut.zip");
    byte[] full = Files.readAllBytes(good);
    Files.write(cut, java.util.Arrays.copyOf(full, full.length - 30));

    assertThat(ZipCheck.problem(good, "example.com/Up", "v1.0.0")).isEmpty();
    assertThat(ZipCheck.problem(foreign, "example.com/Up", "v1.0.0"))
        .get()
        .asString()
        .contains("is not under example.com/Up@v1.0.0/");
    assertThat(ZipCheck.problem(dots, "example.com/Up", "v1.0.0")).isPresent();
    assertThat(ZipCheck.problem(cut, "example.com/Up", "v1.0.0"))
        .get()
        .asString()
        .contains("not a complete zip file");
  }

  @Test
  void upstreamList_commaAndPipe_likeGoproxy_leavingOutDirectAndOff() {
    var p =
        Upstreams.parse("http://a.test/x,http://b.test|https://c.test/y/,direct,off", "--modproxy");

    assertThat(p)
        .extracting(x -> x.base().toString())
        .containsExactly("http://a.test/x/", "http://b.test/", "https://c.test/y/");
    assertThat(p).extracting(Upstreams.Proxy::anyError).containsExactly(false, true, false);
    assertThatThrownBy(() -> Upstreams.parse("http://u:p@a.test", "--modproxy"))
        .hasMessageContaining("must not carry credentials");
  }

  @Test
  void credentials_netrcHostEntryBeforeDefault_headersWin_andBadHeaderLinesAreNamed()
      throws Exception {
    Path netrc = tmp.resolve("netrc");
    Files.writeString(
        netrc, "default login d password dp\nmachine proxy.test\n  login me\n  password secret\n");
    Path headers = tmp.resolve("headers");
    Files.writeString(headers, "# comment\nAuthorization: Bearer abc\n");
    Path bad = tmp.resolve("bad");
    Files.writeString(bad, "no colon here\n");

    assertThat(header(Credentials.load(netrc, null), "http://proxy.test/"))
        .isEqualTo("Basic bWU6c2VjcmV0");
    assertThat(header(Credentials.load(netrc, null), "http://other.test/"))
        .isEqualTo("Basic ZDpkcA==");
    assertThat(header(Credentials.load(netrc, headers), "http://proxy.test/"))
        .isEqualTo("Bearer abc");
    assertThat(header(Credentials.NONE, "http://proxy.test/")).isEqualTo("");
    assertThatThrownBy(() -> Credentials.load(null, bad))
        .hasMessageContaining(bad + " line 1")
        .hasMessageNotContaining("no colon");
  }

  private static String header(Credentials c, String url) {
    java.net.URI u = java.net.URI.create(url);
    var b = java.net.http.HttpRequest.newBuilder(u);
    c.apply(b, u);
    return b.build().headers().firstValue("Authorization").orElse("");
  }
}
