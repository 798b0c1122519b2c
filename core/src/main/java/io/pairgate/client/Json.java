package io.pairgate.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny JSON reader and writer for the client's own small files (core has no JSON library).
 * Reads objects, arrays, strings, integers, booleans and null; rejects duplicate keys, trailing
 * content and numbers with fractions or exponents (the client's files hold none).
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

  /** Parses one JSON value (objects become insertion-ordered maps, integers longs). */
  static Object parse(String text) throws ParseError {
    Reader r = new Reader(text);
    r.skipWs();
    if (r.pos >= text.length()) {
      throw new ParseError("empty document", true);
    }
    Object v = r.value(0);
    r.skipWs();
    if (r.pos != text.length()) {
      throw new ParseError("unexpected content after the document at offset " + r.pos, false);
    }
    return v;
  }

  private static final class Reader {
    private final String s;
    private int pos;

    Reader(String s) {
      this.s = s;
    }

    void skipWs() {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
          pos++;
        } else {
          break;
        }
      }
    }

    private ParseError eof() {
      return new ParseError("unexpected end of input at offset " + pos, true);
    }

    private ParseError bad(String what) {
      return new ParseError(what + " at offset " + pos, false);
    }

    private char peek() throws ParseError {
      if (pos >= s.length()) {
        throw eof();
      }
      return s.charAt(pos);
    }

    Object value(int depth) throws ParseError {
      if (depth > 32) {
        throw bad("nesting too deep");
      }
      skipWs();
      char c = peek();
      switch (c) {
        case '{':
          return object(depth);
        case '[':
          return array(depth);
        case '"':
          return string();
        case 't':
          literal("true");
          return Boolean.TRUE;
        case 'f':
          literal("false");
          return Boolean.FALSE;
        case 'n':
          literal("null");
          return NULL;
        default:
          if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
          }
          throw bad("unexpected character '" + c + "'");
      }
    }

    private void literal(String word) throws ParseError {
      for (int i = 0; i < word.length(); i++) {
        if (peek() != word.charAt(i)) {
          throw bad("invalid literal");
        }
        pos++;
      }
    }

    private Long number() throws ParseError {
      int start = pos;
      if (peek() == '-') {
        pos++;
      }
      int digits = 0;
      while (pos < s.length() && Character.isDigit(s.charAt(pos)) && s.charAt(pos) < 128) {
        pos++;
        digits++;
      }
      if (digits == 0) {
        throw pos >= s.length() ? eof() : bad("invalid number");
      }
      if (pos < s.length() && (s.charAt(pos) == '.' || s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
        throw bad("only integers are supported");
      }
      try {
        return Long.parseLong(s.substring(start, pos));
      } catch (NumberFormatException e) {
        throw bad("integer out of range");
      }
    }

    private String string() throws ParseError {
      pos++; // opening quote
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = peek();
        pos++;
        if (c == '"') {
          return b.toString();
        }
        if (c == '\\') {
          char e = peek();
          pos++;
          switch (e) {
            case '"': b.append('"'); break;
            case '\\': b.append('\\'); break;
            case '/': b.append('/'); break;
            case 'b': b.append('\b'); break;
            case 'f': b.append('\f'); break;
            case 'n': b.append('\n'); break;
            case 'r': b.append('\r'); break;
            case 't': b.append('\t'); break;
            case 'u':
              if (pos + 4 > s.length()) {
                pos = s.length();
                throw eof();
              }
              try {
                b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
              } catch (NumberFormatException ex) {
                throw bad("invalid \\u escape");
              }
              pos += 4;
              break;
            default:
              throw bad("invalid escape");
          }
        } else if (c < 0x20) {
          throw bad("control character in string");
        } else {
          b.append(c);
        }
      }
    }

    private Map<String, Object> object(int depth) throws ParseError {
      pos++;
      Map<String, Object> m = new LinkedHashMap<>();
      skipWs();
      if (peek() == '}') {
        pos++;
        return m;
      }
      while (true) {
        skipWs();
        if (peek() != '"') {
          throw bad("expected a member name");
        }
        String key = string();
        skipWs();
        if (peek() != ':') {
          throw bad("expected ':'");
        }
        pos++;
        Object v = value(depth + 1);
        if (m.put(key, v) != null) {
          throw bad("duplicate member \"" + key + "\"");
        }
        skipWs();
        char c = peek();
        pos++;
        if (c == '}') {
          return m;
        }
        if (c != ',') {
          pos--;
          throw bad("expected ',' or '}'");
        }
      }
    }

    private List<Object> array(int depth) throws ParseError {
      pos++;
      List<Object> out = new ArrayList<>();
      skipWs();
      if (peek() == ']') {
        pos++;
        return out;
      }
      while (true) {
        out.add(value(depth + 1));
        skipWs();
        char c = peek();
        pos++;
        if (c == ']') {
          return out;
        }
        if (c != ',') {
          pos--;
          throw bad("expected ',' or ']'");
        }
      }
    }
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
