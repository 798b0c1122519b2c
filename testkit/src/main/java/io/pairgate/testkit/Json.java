package io.pairgate.testkit;

import io.pairgate.internal.json.JsonException;
import io.pairgate.internal.json.JsonReader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Scenario vectors as JSON (RFC 8259, strictly), read by core's one reader ({@link JsonReader}): objects become insertion-ordered
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

  private Json() {}

  /**
   * Parses one JSON value with core's one reader ({@link JsonReader}), converting its tree to this
   * class's form.
   *
   * @throws ParseException with line and column if the text is not exactly one JSON value
   */
  static Object parse(String text) {
    Object v;
    try {
      v = JsonReader.parse(text);
    } catch (JsonException e) {
      String where = e.line() > 0 ? "line " + e.line() + ", column " + e.column()
          : "line 1, column 1";
      String what = e.problem().startsWith("duplicate field ")
          ? "duplicate key " + e.problem().substring("duplicate field ".length()) : e.problem();
      throw new ParseException("JSON syntax error at " + where + ": "
          + (e.truncated() ? "unexpected end of input: " : "") + what);
    }
    return plain(v);
  }

  private static Object plain(@Nullable Object v) {
    if (v == null) {
      return NULL;
    }
    if (v instanceof BigDecimal d) {
      if (d.scale() == 0) {
        throw new ParseException("JSON syntax error: integer out of range");
      }
      double x = d.doubleValue();
      if (Double.isInfinite(x)) {
        throw new ParseException("JSON syntax error: number out of range");
      }
      return x;
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
}
