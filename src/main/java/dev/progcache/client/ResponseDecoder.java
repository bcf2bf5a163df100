package dev.progcache.client;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads the helper's answers: a stream of JSON objects, field names matched case-insensitively and
 * unknown fields ignored, as Go's encoding/json does. Not thread-safe: the reader thread owns it.
 */
final class ResponseDecoder {
  private static final JsonFactory FACTORY =
      JsonFactory.builder().disable(StreamReadFeature.AUTO_CLOSE_SOURCE).build();
  private static final byte[] NONE = new byte[0];

  private final InputStream in;
  private @Nullable JsonParser parser;
  private long count;

  ResponseDecoder(InputStream in) {
    this.in = in;
  }

  /**
   * The next answer, or empty at end of input.
   *
   * @throws IOException when the input is not a JSON answer object or cannot be read; the message
   *     says what was wrong and after how many answers
   */
  Optional<Response> next() throws IOException {
    try {
      if (parser == null) {
        // reads ahead to detect the encoding: only on the reading thread
        parser = FACTORY.createParser(ObjectReadContext.empty(), in);
      }
      JsonToken t = parser.nextToken();
      if (t == null) {
        return Optional.empty();
      }
      if (t != JsonToken.START_OBJECT) {
        throw bad("expected a JSON object, got " + t + " (" + text() + ")");
      }
      Response r = readObject();
      count++;
      return Optional.of(r);
    } catch (JacksonException e) {
      throw new IOException(
          "answer #" + (count + 1) + " is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  private Response readObject() throws IOException {
    long id = 0;
    String err = "";
    List<String> known = List.of();
    boolean miss = false;
    byte[] output = NONE;
    long size = 0;
    Optional<Instant> time = Optional.empty();
    String diskPath = "";
    for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
      String name = parser.currentName();
      JsonToken v = parser.nextToken();
      if (v == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (name.toLowerCase(Locale.ROOT)) {
        case "id" -> id = integer(v, "ID");
        case "err" -> err = string(v, "Err");
        case "knowncommands" -> known = strings(v);
        case "miss" -> miss = bool(v);
        case "outputid" -> output = binary(v);
        case "size" -> size = integer(v, "Size");
        case "time" -> time = Optional.of(time(string(v, "Time")));
        case "diskpath" -> diskPath = string(v, "DiskPath");
        default -> parser.skipChildren();
      }
    }
    return new Response(id, err, known, miss, output, size, time, diskPath);
  }

  private long integer(JsonToken v, String field) throws IOException {
    if (v != JsonToken.VALUE_NUMBER_INT) {
      throw bad(field + " must be an integer, got " + v);
    }
    try {
      return parser.getLongValue();
    } catch (JacksonException e) {
      throw bad(field + " is out of range: " + text());
    }
  }

  private String string(JsonToken v, String field) throws IOException {
    if (v != JsonToken.VALUE_STRING) {
      throw bad(field + " must be a string, got " + v);
    }
    return parser.getString();
  }

  private boolean bool(JsonToken v) throws IOException {
    if (v != JsonToken.VALUE_TRUE && v != JsonToken.VALUE_FALSE) {
      throw bad("Miss must be true or false, got " + v);
    }
    return v == JsonToken.VALUE_TRUE;
  }

  private byte[] binary(JsonToken v) throws IOException {
    if (v != JsonToken.VALUE_STRING) {
      throw bad("OutputID must be a base64 string, got " + v);
    }
    try {
      return parser.getBinaryValue();
    } catch (JacksonException e) {
      throw bad("OutputID is not valid base64: " + e.getOriginalMessage());
    }
  }

  private List<String> strings(JsonToken v) throws IOException {
    if (v != JsonToken.START_ARRAY) {
      throw bad("KnownCommands must be an array of strings, got " + v);
    }
    List<String> out = new ArrayList<>();
    for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
      out.add(string(t, "each of KnownCommands"));
    }
    return List.copyOf(out);
  }

  /** RFC 3339, as Go's time.Time unmarshals it. */
  private Instant time(String s) throws IOException {
    try {
      return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw bad("Time " + s + " is not an RFC 3339 time");
    }
  }

  private String text() {
    try {
      return String.valueOf(parser.getString());
    } catch (JacksonException e) {
      return "?";
    }
  }

  private IOException bad(String what) {
    return new IOException("answer #" + (count + 1) + " is not a valid answer: " + what);
  }
}
