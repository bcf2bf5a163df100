package dev.progcache.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;

/**
 * The request reader progcache used before {@link RequestReader}: Jackson's streaming parser. Kept
 * as the reference its replacement is compared with ({@code RequestReaderTest}).
 *
 * <p>Reads go's requests: a stream of JSON objects, each put with a body followed by one JSON
 * string holding the body in standard base64.
 *
 * <p>Not thread-safe: one reader thread owns it. Bodies are streamed, never held in memory whole.
 */
final class JacksonRequestReader implements AutoCloseable {
  private static final JsonFactory FACTORY =
      JsonFactory.builder().disable(StreamReadFeature.AUTO_CLOSE_SOURCE).build();

  private final JsonParser parser;
  private long seq;
  private long lastId = -1;

  JacksonRequestReader(InputStream in) {
    this.parser = FACTORY.createParser(ObjectReadContext.empty(), in);
  }

  /**
   * Reads the next request, or returns null at end of input.
   *
   * @throws ProtocolException when the input is not a request object
   */
  public @Nullable Request next() throws ProtocolException {
    seq++;
    try {
      JsonToken t = parser.nextToken();
      if (t == null) {
        return null;
      }
      if (t != JsonToken.START_OBJECT) {
        throw malformed("expected a JSON object, got " + describe(t), null);
      }
      return readObject();
    } catch (JacksonException e) {
      throw malformed(e.getOriginalMessage(), e);
    }
  }

  private Request readObject() throws ProtocolException {
    Long id = null;
    String command = null;
    byte[] action = null;
    byte[] output = null;
    byte[] object = null;
    long bodySize = 0;
    for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
      String name = parser.currentName();
      JsonToken v = parser.nextToken();
      if (v == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (fieldName(name)) {
        case "id" -> id = integer(v, "ID");
        case "command" -> command = string(v, "Command");
        case "actionid" -> action = binary(v, "ActionID");
        case "outputid" -> output = binary(v, "OutputID");
        case "objectid" -> object = binary(v, "ObjectID");
        case "bodysize" -> bodySize = integer(v, "BodySize");
        default -> parser.skipChildren();
      }
    }
    if (id == null) {
      throw malformed("request has no ID", null);
    }
    lastId = id;
    if (bodySize < 0) {
      throw malformed("request ID " + id + " has negative BodySize " + bodySize, null);
    }
    return new Request(seq, id, command == null ? "" : command, action, output, object, bodySize);
  }

  /** The lower-case form of a field name; go's own spellings without a copy. */
  private static String fieldName(String name) {
    return switch (name) {
      case "ID" -> "id";
      case "Command" -> "command";
      case "ActionID" -> "actionid";
      case "OutputID" -> "outputid";
      case "ObjectID" -> "objectid";
      case "BodySize" -> "bodysize";
      default -> name.toLowerCase(java.util.Locale.ROOT);
    };
  }

  /**
   * Streams the body line that follows a put into {@code out}, returning the number of decoded
   * bytes. Reads the whole body even when {@code out} throws part way: {@code out} must swallow its
   * own failures (see {@link dev.progcache.cache.BodySource}).
   *
   * @throws ProtocolException when the next value is not a base64 string
   */
  public long readBody(Request r, OutputStream out) throws ProtocolException {
    try {
      JsonToken t = parser.nextToken();
      if (t != JsonToken.VALUE_STRING) {
        throw new ProtocolException(
            where(r)
                + ": expected the body line (a base64 JSON string of "
                + r.bodySize()
                + " bytes), got "
                + describe(t));
      }
      return parser.readBinaryValue(out);
    } catch (JacksonException e) {
      throw new ProtocolException(where(r) + ": bad body line: " + e.getOriginalMessage(), e);
    }
  }

  private long integer(JsonToken v, String field) throws ProtocolException {
    if (v != JsonToken.VALUE_NUMBER_INT) {
      throw malformed(field + " must be an integer, got " + describe(v), null);
    }
    try {
      return parser.getLongValue();
    } catch (JacksonException e) {
      throw malformed(field + " out of range", e);
    }
  }

  private String string(JsonToken v, String field) throws ProtocolException {
    if (v != JsonToken.VALUE_STRING) {
      throw malformed(field + " must be a string, got " + describe(v), null);
    }
    return parser.getString();
  }

  private byte[] binary(JsonToken v, String field) throws ProtocolException {
    if (v != JsonToken.VALUE_STRING) {
      throw malformed(field + " must be a base64 string, got " + describe(v), null);
    }
    try {
      return parser.getBinaryValue();
    } catch (JacksonException e) {
      throw malformed(field + " is not valid base64: " + e.getOriginalMessage(), e);
    }
  }

  private ProtocolException malformed(String what, @Nullable Throwable cause) {
    return new ProtocolException("request #" + seq + afterId() + ": " + what, cause);
  }

  private String where(Request r) {
    return "request #" + r.seq() + " (ID " + r.id() + ", " + r.command() + ")";
  }

  private String afterId() {
    return lastId < 0 ? " (the first)" : " (after ID " + lastId + ")";
  }

  private static String describe(@Nullable JsonToken t) {
    return t == null ? "end of input" : t.name();
  }

  @Override
  public void close() throws IOException {
    parser.close();
  }
}
