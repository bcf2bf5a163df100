package dev.progcache.remote.http;

import dev.progcache.cache.Key;
import dev.progcache.remote.RemoteException;
import dev.progcache.remote.RemoteException.Kind;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * The older servers' answer to {@code GET /action/<hex>}: {@code {"outputID":"<hex>","size":N}}.
 * Unknown fields are ignored.
 */
record Pointer(Key outputId, long size) {
  private static final JsonFactory JSON = new JsonFactory();

  /** Parses at most {@code max} bytes of JSON; anything else is a {@link RemoteException}. */
  static Pointer parse(byte[] json, int max) throws RemoteException {
    if (json.length > max) {
      throw new RemoteException(Kind.FAILED, "action JSON longer than " + max + " bytes");
    }
    String out = null;
    long size = -1;
    try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new RemoteException(Kind.FAILED, "action JSON is not an object");
      }
      for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (name.equalsIgnoreCase("outputID") && v == JsonToken.VALUE_STRING) {
          out = p.getString();
        } else if (name.equalsIgnoreCase("size") && v == JsonToken.VALUE_NUMBER_INT) {
          size = p.getLongValue();
        } else {
          p.skipChildren();
        }
      }
    } catch (JacksonException e) {
      throw new RemoteException(Kind.FAILED, "bad action JSON: " + e.getOriginalMessage());
    }
    if (out == null || size < 0) {
      throw new RemoteException(Kind.FAILED, "action JSON without outputID and size");
    }
    try {
      return new Pointer(Key.ofHex(out), size);
    } catch (IllegalArgumentException e) {
      throw new RemoteException(Kind.FAILED, "action JSON with a bad outputID");
    }
  }
}
