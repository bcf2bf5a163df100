package dev.progcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.progcache.cache.Key;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client's wire format: answers decoded as Go's encoding/json does, requests as go writes them.
 */
@Timeout(10)
class WireTest {
  private static ResponseDecoder decoder(String s) {
    return new ResponseDecoder(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)));
  }

  private static Key key(int b) {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) b);
    return Key.of(k);
  }

  @Test
  void decode_fieldNamesAnyCase_unknownFieldsIgnored() throws IOException {
    String id = key(7).base64();
    Response r =
        decoder(
                "{\"id\":5,\"outputID\":\""
                    + id
                    + "\",\"SIZE\":12,\"x\":{\"y\":[1,2]},"
                    + "\"Time\":\"2026-11-25T03:00:00.123456789Z\",\"diskpath\":\"/c/o\",\"Err\":null}")
            .next()
            .orElseThrow();
    assertThat(r.id()).isEqualTo(5);
    assertThat(r.outputId()).isEqualTo(key(7).bytes());
    assertThat(r.size()).isEqualTo(12);
    assertThat(r.time()).contains(Instant.parse("2026-11-25T03:00:00.123456789Z"));
    assertThat(r.diskPath()).isEqualTo("/c/o");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void decode_answersWithoutNewlines_andEndOfInput() throws IOException {
    ResponseDecoder d = decoder("{\"ID\":0,\"KnownCommands\":[\"get\"]} {\"ID\":1,\"Miss\":true}");
    assertThat(d.next().orElseThrow().knownCommands()).containsExactly("get");
    assertThat(d.next().orElseThrow().miss()).isTrue();
    assertThat(d.next()).isEmpty();
  }

  @Test
  void decode_timeWithOffset_isConverted() throws IOException {
    Response r =
        decoder("{\"ID\":1,\"Time\":\"2026-11-25T05:00:00.5+02:00\"}").next().orElseThrow();
    assertThat(r.time()).contains(Instant.parse("2026-11-25T03:00:00.5Z"));
  }

  @Test
  void decode_garbage_isErrorNamingTheAnswer() {
    ResponseDecoder d = decoder("{\"ID\":1}\nhello\n");
    assertThatThrownBy(
            () -> {
              d.next();
              d.next();
            })
        .isInstanceOf(IOException.class)
        .hasMessageContaining("answer #2 is not valid JSON");
  }

  @Test
  void decode_wrongTypes_areErrors() {
    assertThatThrownBy(() -> decoder("{\"ID\":\"1\"}").next())
        .hasMessageContaining("ID must be an integer");
    assertThatThrownBy(() -> decoder("{\"ID\":1,\"Miss\":1}").next())
        .hasMessageContaining("Miss must be");
    assertThatThrownBy(() -> decoder("{\"ID\":1,\"OutputID\":\"%%\"}").next())
        .hasMessageContaining("base64");
    assertThatThrownBy(() -> decoder("{\"ID\":1,\"Time\":\"yesterday\"}").next())
        .hasMessageContaining("RFC 3339");
    assertThatThrownBy(() -> decoder("[1]").next()).hasMessageContaining("expected a JSON object");
  }

  @Test
  void encode_put_sendsBothIdsSizeAndBase64BodyLine() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] body = "hello, body".getBytes(StandardCharsets.UTF_8);
    new RequestEncoder(out)
        .write(
            7,
            new RequestEncoder.Request("put", key(1), key(2), body.length, new BytesChannel(body)));
    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n", -1);
    assertThat(lines[0])
        .isEqualTo(
            "{\"ID\":7,\"Command\":\"put\",\"ActionID\":\""
                + key(1).base64()
                + "\",\"ObjectID\":\""
                + key(2).base64()
                + "\",\"OutputID\":\""
                + key(2).base64()
                + "\",\"BodySize\":"
                + body.length
                + "}");
    assertThat(lines[1]).isEqualTo("\"" + Base64.getEncoder().encodeToString(body) + "\"");
    assertThat(lines).hasSize(3);
  }

  @Test
  void encode_emptyBody_hasNoBodyLine() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new RequestEncoder(out)
        .write(
            1, new RequestEncoder.Request("put", key(1), key(2), 0, new BytesChannel(new byte[0])));
    assertThat(out.toString(StandardCharsets.UTF_8))
        .doesNotContain("BodySize")
        .endsWith("}\n")
        .hasLineCount(1);
  }

  @Test
  void encode_shortBody_terminatesLineAndNamesIds() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RequestEncoder.Request r =
        new RequestEncoder.Request("put", key(1), key(2), 10, new BytesChannel(new byte[4]));
    assertThatThrownBy(() -> new RequestEncoder(out).write(3, r))
        .isInstanceOf(RequestEncoder.BodyException.class)
        .hasMessageContaining(key(1).hex())
        .hasMessageContaining(key(2).hex())
        .hasMessageContaining("wrote 4; expected 10");
    assertThat(out.toString(StandardCharsets.UTF_8)).endsWith("\"AAAAAA==\"\n");
  }
}
