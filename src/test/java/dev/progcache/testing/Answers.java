package dev.progcache.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/** Parses one answer line from a helper into a map (strings, longs, booleans, lists). */
public final class Answers {
  private static final JsonFactory JSON = new JsonFactory();

  private Answers() {}

  /** Parses a JSON object line; fails the test when it is anything else. */
  public static Map<String, Object> parse(String line) {
    try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new AssertionError("not a JSON object: " + line);
      }
      Map<String, Object> m = object(p);
      if (p.nextToken() != null) {
        throw new AssertionError("trailing data after the object: " + line);
      }
      return m;
    } catch (RuntimeException e) {
      throw new AssertionError("not a protocol line: " + line, e);
    }
  }

  private static Map<String, Object> object(JsonParser p) {
    Map<String, Object> m = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      m.put(name, value(p, p.nextToken()));
    }
    return m;
  }

  private static Object value(JsonParser p, JsonToken t) {
    return switch (t) {
      case VALUE_STRING -> p.getString();
      case VALUE_NUMBER_INT -> p.getLongValue();
      case VALUE_TRUE -> true;
      case VALUE_FALSE -> false;
      case START_ARRAY -> {
        List<Object> l = new ArrayList<>();
        for (JsonToken x = p.nextToken(); x != JsonToken.END_ARRAY; x = p.nextToken()) {
          l.add(value(p, x));
        }
        yield l;
      }
      case START_OBJECT -> object(p);
      default -> throw new AssertionError("unexpected " + t);
    };
  }
}
