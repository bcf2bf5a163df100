package dev.progcache.conform;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * One answer line as written by the helper, fields kept as text (lower-cased names), so cases can
 * look at exactly what was sent: {@code Time} as a string, {@code OutputID} as base64.
 */
record RawAnswer(String line, long id, Map<String, String> fields) {
  private static final JsonFactory FACTORY = new JsonFactory();

  /**
   * Parses one line that must hold exactly one JSON object with an integer {@code ID}.
   *
   * @throws CaseFailure when it does not; the message quotes the line
   */
  static RawAnswer parse(String line) throws CaseFailure {
    Map<String, String> fields = new HashMap<>();
    try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), line)) {
      CaseFailure.check(
          p.nextToken() == JsonToken.START_OBJECT, "not a JSON object: " + quote(line));
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String name = p.currentName().toLowerCase(Locale.ROOT);
        JsonToken v = p.nextToken();
        if (v.isStructStart()) {
          p.skipChildren();
          fields.put(name, "<" + v + ">");
        } else if (v != JsonToken.VALUE_NULL) {
          fields.put(name, p.getString());
        }
      }
      CaseFailure.check(
          p.nextToken() == null, "more than one JSON value on a line: " + quote(line));
    } catch (JacksonException e) {
      throw new CaseFailure("not valid JSON: " + quote(line) + " (" + e.getOriginalMessage() + ")");
    }
    String id = fields.get("id");
    CaseFailure.check(
        id != null && id.matches("-?[0-9]+"), "answer without an integer ID: " + quote(line));
    return new RawAnswer(line, Long.parseLong(id), Map.copyOf(fields));
  }

  Optional<String> get(String field) {
    return Optional.ofNullable(fields.get(field.toLowerCase(Locale.ROOT)));
  }

  boolean miss() {
    return get("Miss").map("true"::equals).orElse(false);
  }

  String err() {
    return get("Err").orElse("");
  }

  static String quote(String line) {
    return line.length() > 200 ? "\"" + line.substring(0, 200) + "...\"" : "\"" + line + "\"";
  }
}
