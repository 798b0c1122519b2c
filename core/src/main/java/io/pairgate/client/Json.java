package io.pairgate.client;

import io.pairgate.internal.json.JsonException;
import io.pairgate.internal.json.JsonReader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * JSON for the client's own small files: reading goes through core's one reader
 * ({@link JsonReader}: strict, duplicate keys and trailing content refused), and numbers with
 * fractions or exponents are refused as well (the client's files hold none); writing is indented.
 */
final class Json {
  private Json() {}

  /** A parse failure; {@link #truncated} is true when the input ended too early. */
  static final class ParseError extends Exception {
    private static final long serialVersionUID = 1L;
    final boolean truncated;

    ParseError(String message, boolean truncated) {
      super(message);
      this.truncated = truncated;
    }
  }

  /**
   * Parses one JSON value with core's one reader ({@link JsonReader}); objects become
   * insertion-ordered maps, integers longs, {@code null} {@link #NULL}.
   */
  static Object parse(String text) throws ParseError {
    Object v;
    try {
      v = JsonReader.parse(text);
    } catch (JsonException e) {
      throw new ParseError(e.getMessage(), e.truncated());
    }
    return plain(v);
  }

  /** The reader's tree with {@link #NULL} for null; a fraction or exponent is refused. */
  private static Object plain(@Nullable Object v) throws ParseError {
    if (v == null) {
      return NULL;
    }
    if (v instanceof BigDecimal) {
      throw new ParseError("not valid here: only integers within a long are supported", false);
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put((String) e.getKey(), plain(e.getValue()));
      }
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object o : l) {
        out.add(plain(o));
      }
      return out;
    }
    return v;
  }

  /** The JSON {@code null} (maps cannot hold Java null under the null-marked API). */
  static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  /** Writes {@code value} (maps, lists, strings, numbers, booleans, {@link #NULL}) indented. */
  static String write(Object value) {
    StringBuilder b = new StringBuilder();
    write(b, value, 0);
    return b.append('\n').toString();
  }

  private static void write(StringBuilder b, Object v, int indent) {
    if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        b.append("{}");
        return;
      }
      b.append("{\n");
      int i = 0;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        pad(b, indent + 2);
        quote(b, String.valueOf(e.getKey()));
        b.append(": ");
        write(b, e.getValue(), indent + 2);
        b.append(++i < m.size() ? ",\n" : "\n");
      }
      pad(b, indent);
      b.append('}');
    } else if (v instanceof List<?> l) {
      if (l.isEmpty()) {
        b.append("[]");
        return;
      }
      b.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          b.append(", ");
        }
        write(b, l.get(i), indent);
      }
      b.append(']');
    } else if (v instanceof String s) {
      quote(b, s);
    } else if (v instanceof Number || v instanceof Boolean || v == NULL) {
      b.append(v);
    } else {
      throw new IllegalArgumentException("cannot write " + v.getClass());
    }
  }

  private static void pad(StringBuilder b, int n) {
    for (int i = 0; i < n; i++) {
      b.append(' ');
    }
  }

  private static void quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"': b.append("\\\""); break;
        case '\\': b.append("\\\\"); break;
        case '\n': b.append("\\n"); break;
        case '\r': b.append("\\r"); break;
        case '\t': b.append("\\t"); break;
        default:
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
      }
    }
    b.append('"');
  }
}
