package dev.progcache.remote.http;

import dev.progcache.remote.RemoteException;
import dev.progcache.remote.RemoteException.Kind;
import java.io.IOException;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * What the server says the tier's token may do: {@code GET grants} relative to the tier's base URL
 * (so in its namespace), answered {@code {"principal":..,"namespace":..,"read":..,"write":..}}.
 * Asked once by a helper before its first upload, and by {@code progcache doctor}. Stateless and
 * thread-safe.
 */
public final class TokenGrants {
  private static final JsonFactory JSON = new JsonFactory();
  private static final int MAX_JSON = 16 << 10;

  /**
   * The server's answer.
   *
   * @param principal the token's name on the server (never the token)
   * @param namespace the namespace the answer is about
   * @param read whether the token may read it
   * @param write whether the token may write it
   */
  public record Answer(String principal, String namespace, boolean read, boolean write) {}

  private TokenGrants() {}

  /**
   * Asks the server behind {@code tier}. Empty when the server predates the request (404, 405 or
   * 501).
   *
   * @throws RemoteException for a 401 ({@link Kind#UNAUTHENTICATED}), 403 ({@link
   *     Kind#DENIED_READ}), another status or an answer that does not parse
   * @throws IOException when the server cannot be reached
   */
  public static Optional<Answer> ask(HttpTier tier) throws IOException {
    tier.acquire();
    try (Exchange r =
        tier.exchange(tier.base.resolve("grants"), "GET", tier.headers(false), null)) {
      int s = r.status();
      if (s == 404 || s == 405 || s == 501) {
        r.discardSmall();
        return Optional.empty();
      }
      HttpTier.check(r, "GET /grants", Kind.DENIED_READ);
      return Optional.of(parse(r.body().readNBytes(MAX_JSON + 1)));
    } finally {
      tier.conn.slots.release();
    }
  }

  static Answer parse(byte[] json) throws RemoteException {
    if (json.length > MAX_JSON) {
      throw new RemoteException(Kind.FAILED, "grants JSON longer than " + MAX_JSON + " bytes");
    }
    String principal = "";
    String namespace = "";
    Boolean read = null;
    Boolean write = null;
    try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new RemoteException(Kind.FAILED, "grants JSON is not an object");
      }
      for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        boolean bool = v == JsonToken.VALUE_TRUE || v == JsonToken.VALUE_FALSE;
        switch (name) {
          case "principal" -> principal = v == JsonToken.VALUE_STRING ? p.getString() : "";
          case "namespace" -> namespace = v == JsonToken.VALUE_STRING ? p.getString() : "";
          case "read" -> read = bool ? v == JsonToken.VALUE_TRUE : null;
          case "write" -> write = bool ? v == JsonToken.VALUE_TRUE : null;
          default -> p.skipChildren();
        }
      }
    } catch (JacksonException e) {
      throw new RemoteException(Kind.FAILED, "bad grants JSON: " + e.getOriginalMessage());
    }
    if (read == null || write == null) {
      throw new RemoteException(Kind.FAILED, "grants JSON without read and write");
    }
    return new Answer(principal, namespace, read, write);
  }
}
