package io.pairgate.testkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON (RFC 8259) parser for scenario vectors: objects become insertion-ordered
 * maps, arrays lists, strings strings, numbers {@link Long} (integers) or {@link Double}, booleans
 * {@link Boolean}, and {@code null} {@link #NULL}. Duplicate object keys are an error.
 */
final class Json {
  /** The JSON {@code null}. */
  static final Object NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  /** A syntax error, with line and column. */
  static final class ParseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ParseException(String message) {
      super(redact(message));
    }
  }

  /** Vectors nest a few levels; deeper text is refused before it can exhaust the stack. */
  private static final int MAX_DEPTH = 64;

  /**
   * Error text that shows vector content only where it is a plausible name: a quoted span of at
   * most 24 letters, dots, dashes, underscores, spaces or {@code $} is kept; any other is cut to 8
   * characters, so that no message carries a secret from the file. Control characters are made
   * visible.
   */
  static String redact(String message) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"([^\"]*)\"|'([^']*)'").matcher(message);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String q = m.group(1) != null ? "\"" : "'";
      String inner = m.group(1) != null ? m.group(1) : m.group(2);
      boolean name = inner.length() <= 24 && inner.matches("[A-Za-z._$ -]*");
      String cut = name || inner.length() <= 8 ? inner : inner.substring(0, 8) + "\u2026";
      m.appendReplacement(b, java.util.regex.Matcher.quoteReplacement(q + cut + q));
    }
    m.appendTail(b);
    StringBuilder out = new StringBuilder(b.length());
    for (int i = 0; i < b.length(); i++) {
      char c = b.charAt(i);
      out.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
    }
    return out.toString();
  }

  private int depth;

  private final String s;
  private int pos;

  private Json(String s) {
    this.s = s;
  }

  static Object parse(String text) {
    Json p = new Json(text);
    p.ws();
    Object v = p.value();
    p.ws();
    if (p.pos != p.s.length()) {
      throw p.error("unexpected text after the JSON value");
    }
    return v;
  }

  private ParseException error(String message) {
    int line = 1;
    int col = 1;
    for (int i = 0; i < pos && i < s.length(); i++) {
      if (s.charAt(i) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return new ParseException("JSON syntax error at line " + line + ", column " + col + ": "
        + message);
  }

  private void ws() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        pos++;
      } else {
        break;
      }
    }
  }

  private Object value() {
    if (pos >= s.length()) {
      throw error("unexpected end of input");
    }
    char c = s.charAt(pos);
    switch (c) {
      case '{':
      case '[':
        if (++depth > MAX_DEPTH) {
          throw error("nested deeper than " + MAX_DEPTH + " levels");
        }
        try {
          return c == '{' ? object() : array();
        } finally {
          depth--;
        }
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", NULL);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected character");
    }
  }

  private Object literal(String word, Object v) {
    if (!s.startsWith(word, pos)) {
      throw error("expected " + word);
    }
    pos += word.length();
    return v;
  }

  private Map<String, Object> object() {
    pos++;
    Map<String, Object> m = new LinkedHashMap<>();
    ws();
    if (pos < s.length() && s.charAt(pos) == '}') {
      pos++;
      return m;
    }
    while (true) {
      ws();
      if (pos >= s.length() || s.charAt(pos) != '"') {
        throw error("expected a string key");
      }
      int at = pos;
      String k = string();
      ws();
      expect(':');
      ws();
      Object v = value();
      if (m.containsKey(k)) {
        pos = at;
        throw error("duplicate key \"" + k + "\"");
      }
      m.put(k, v);
      ws();
      if (pos < s.length() && s.charAt(pos) == ',') {
        pos++;
        continue;
      }
      expect('}');
      return m;
    }
  }

  private List<Object> array() {
    pos++;
    List<Object> l = new ArrayList<>();
    ws();
    if (pos < s.length() && s.charAt(pos) == ']') {
      pos++;
      return l;
    }
    while (true) {
      ws();
      l.add(value());
      ws();
      if (pos < s.length() && s.charAt(pos) == ',') {
        pos++;
        continue;
      }
      expect(']');
      return l;
    }
  }

  private void expect(char c) {
    if (pos >= s.length() || s.charAt(pos) != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private String string() {
    pos++;
    StringBuilder b = new StringBuilder();
    while (true) {
      if (pos >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(pos++);
      if (c == '"') {
        return b.toString();
      }
      if (c < 0x20) {
        pos--;
        throw error("control character in string");
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (pos >= s.length()) {
        throw error("unterminated escape");
      }
      char e = s.charAt(pos++);
      switch (e) {
        case '"' -> b.append('"');
        case '\\' -> b.append('\\');
        case '/' -> b.append('/');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (pos + 4 > s.length()) {
            throw error("short \\u escape");
          }
          try {
            b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
          } catch (NumberFormatException ex) {
            throw error("bad \\u escape");
          }
          pos += 4;
        }
        default -> {
          pos--;
          throw error("bad escape");
        }
      }
    }
  }

  private Object number() {
    int start = pos;
    if (s.charAt(pos) == '-') {
      pos++;
    }
    if (pos < s.length() && s.charAt(pos) == '0') {
      pos++;
    } else {
      digits();
    }
    boolean integral = true;
    if (pos < s.length() && s.charAt(pos) == '.') {
      integral = false;
      pos++;
      digits();
    }
    if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
      integral = false;
      pos++;
      if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
        pos++;
      }
      digits();
    }
    String t = s.substring(start, pos);
    if (integral) {
      try {
        return Long.parseLong(t);
      } catch (NumberFormatException e) {
        throw error("integer out of range: " + t);
      }
    }
    return Double.parseDouble(t);
  }

  private void digits() {
    int start = pos;
    while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
      pos++;
    }
    if (pos == start) {
      throw error("expected a digit");
    }
  }
}
