package io.pairgate.internal.json;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Pairgate's one JSON reader (RFC 8259, strictly): the stores' device records, the client's key and
 * token files and the testkit's scenario vectors all go through it. A document becomes a tree of
 * insertion-ordered {@link Map}s, {@link List}s, {@link String}s, {@link Long}s (integers within a
 * long), {@link BigDecimal}s (every other number), {@link Boolean}s and {@code null}.
 *
 * <p>Everything that is not exactly one JSON value is a {@link JsonException}: trailing content,
 * duplicate object keys, leading zeros, unescaped control characters, malformed UTF-8, nesting
 * deeper than {@link #MAX_DEPTH}, a string longer than {@link #MAX_STRING} characters, and a
 * number longer than {@link #MAX_NUMBER} characters or with an exponent beyond ±{@link #MAX_EXPONENT}
 * ({@code 1e771200000000} would otherwise make arithmetic on it throw or run for ever). The
 * reader never recurses more than {@link #MAX_DEPTH} levels, so no input exhausts the stack.
 */
public final class JsonReader {
  /** The deepest nesting of objects and arrays accepted. */
  public static final int MAX_DEPTH = 64;
  /** The longest string accepted, in UTF-16 chars. */
  public static final int MAX_STRING = 20_000_000;
  /** The longest number accepted, in characters. */
  public static final int MAX_NUMBER = 1000;
  /** The largest exponent magnitude accepted. */
  public static final int MAX_EXPONENT = 1000;

  private final String s;
  private int i;

  private JsonReader(String s) {
    this.s = s;
  }

  /**
   * Parses one document from UTF-8 bytes.
   *
   * @throws JsonException if the bytes are not valid UTF-8 or not exactly one JSON value
   */
  public static @Nullable Object parse(byte[] utf8) {
    if (utf8.length == 0) {
      throw new JsonException("the document is empty", true, 0, 0);
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf8)).toString();
    } catch (CharacterCodingException e) {
      throw new JsonException("not UTF-8 text", false, 0, 0);
    }
    return parse(text);
  }

  /**
   * Parses one document.
   *
   * @throws JsonException if the text is not exactly one JSON value
   */
  public static @Nullable Object parse(String text) {
    JsonReader r = new JsonReader(text);
    r.skipWs();
    if (r.i >= text.length()) {
      throw new JsonException("the document is empty", true, 0, 0);
    }
    Object v = r.value(0);
    r.skipWs();
    if (r.i != text.length()) {
      throw r.bad("trailing content after the document");
    }
    return v;
  }

  private @Nullable Object value(int depth) {
    char c = peek();
    switch (c) {
      case '{':
        return object(depth + 1);
      case '[':
        return array(depth + 1);
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
        return null;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw bad("unexpected character");
    }
  }

  private void checkDepth(int depth) {
    if (depth > MAX_DEPTH) {
      throw bad("nested deeper than " + MAX_DEPTH + " levels");
    }
  }

  private Map<String, @Nullable Object> object(int depth) {
    checkDepth(depth);
    i++; // {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    skipWs();
    if (peek() == '}') {
      i++;
      return m;
    }
    while (true) {
      skipWs();
      if (peek() != '"') {
        throw bad("expected a field name");
      }
      int at = i;
      String k = string();
      skipWs();
      if (peek() != ':') {
        throw bad("expected ':'");
      }
      i++;
      skipWs();
      Object v = value(depth);
      if (m.containsKey(k)) {
        i = at;
        throw bad("duplicate field \"" + fieldName(k) + "\"");
      }
      m.put(k, v);
      skipWs();
      char c = peek();
      i++;
      if (c == '}') {
        return m;
      }
      if (c != ',') {
        i--;
        throw bad("expected ',' or '}'");
      }
    }
  }

  private List<@Nullable Object> array(int depth) {
    checkDepth(depth);
    i++; // [
    List<@Nullable Object> out = new ArrayList<>();
    skipWs();
    if (peek() == ']') {
      i++;
      return out;
    }
    while (true) {
      skipWs();
      out.add(value(depth));
      skipWs();
      char c = peek();
      i++;
      if (c == ']') {
        return out;
      }
      if (c != ',') {
        i--;
        throw bad("expected ',' or ']'");
      }
    }
  }

  private String string() {
    int start = ++i; // after the opening quote
    // fast path: no escape before the closing quote
    for (int j = start; j < s.length(); j++) {
      char c = s.charAt(j);
      if (c == '"') {
        if (j - start > MAX_STRING) {
          break;
        }
        i = j + 1;
        return s.substring(start, j);
      }
      if (c == '\\' || c < 0x20) {
        break;
      }
    }
    StringBuilder b = new StringBuilder();
    while (true) {
      if (b.length() > MAX_STRING) {
        throw bad("a string longer than " + MAX_STRING + " characters");
      }
      char c = peek();
      i++;
      if (c == '"') {
        return b.toString();
      }
      if (c < 0x20) {
        i--;
        throw bad("unescaped control character in a string");
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char e = peek();
      i++;
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          int cp = 0;
          for (int k = 0; k < 4; k++) {
            int d = Character.digit(peek(), 16);
            if (d < 0 || s.charAt(i) > 0x7f) {
              throw bad("malformed \\u escape");
            }
            i++;
            cp = (cp << 4) | d;
          }
          b.append((char) cp);
        }
        default -> {
          i--;
          throw bad("unknown escape");
        }
      }
    }
  }

  private Object number() {
    int start = i;
    if (s.charAt(i) == '-') {
      i++;
    }
    int intStart = i;
    int intDigits = digits();
    if (intDigits == 0) {
      throw i >= s.length() ? eof() : bad("malformed number");
    }
    if (intDigits > 1 && s.charAt(intStart) == '0') {
      throw bad("a number with a leading zero");
    }
    boolean integral = true;
    if (i < s.length() && s.charAt(i) == '.') {
      integral = false;
      i++;
      if (digits() == 0) {
        throw i >= s.length() ? eof() : bad("malformed number");
      }
    }
    long exponent = 0;
    if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      integral = false;
      i++;
      boolean negative = false;
      if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        negative = s.charAt(i) == '-';
        i++;
      }
      int expStart = i;
      if (digits() == 0) {
        throw i >= s.length() ? eof() : bad("malformed number");
      }
      for (int k = expStart; k < i && exponent <= MAX_EXPONENT; k++) {
        exponent = exponent * 10 + (s.charAt(k) - '0');
      }
      if (negative) {
        exponent = -exponent;
      }
    }
    if (i - start > MAX_NUMBER || Math.abs(exponent) > MAX_EXPONENT) {
      i = start;
      throw bad("a number out of range");
    }
    if (integral && intDigits <= 18) {
      long v = 0;
      for (int k = intStart; k < i; k++) {
        v = v * 10 + (s.charAt(k) - '0');
      }
      return start == intStart ? v : -v;
    }
    String text = s.substring(start, i);
    if (integral) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        // beyond a long: a BigDecimal, which readers of integers refuse as out of range
      }
    }
    return new BigDecimal(text);
  }

  /** Skips ASCII digits; returns how many. */
  private int digits() {
    int from = i;
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    return i - from;
  }

  private void literal(String word) {
    for (int k = 0; k < word.length(); k++) {
      if (peek() != word.charAt(k)) {
        throw bad("unexpected token");
      }
      i++;
    }
  }

  private void skipWs() {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return;
      }
      i++;
    }
  }

  private char peek() {
    if (i >= s.length()) {
      throw eof();
    }
    return s.charAt(i);
  }

  private JsonException eof() {
    i = s.length();
    return at("the JSON ends before the document is complete", true);
  }

  private JsonException bad(String what) {
    return at(what, false);
  }

  private JsonException at(String what, boolean truncated) {
    int line = 1;
    int col = 1;
    int end = Math.min(i, s.length());
    for (int k = 0; k < end; k++) {
      if (s.charAt(k) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return new JsonException(what, truncated, line, col);
  }

  /**
   * A field name as an error may show it: whole when it is a plain camelCase name or a hex id,
   * else cut by {@link #excerpt} (a damaged file can hold anything, a secret included, as a key).
   */
  static String fieldName(String name) {
    return name.length() <= 64 && name.matches("[a-z]{1,16}([A-Z][a-z]{1,16}){0,4}") ? name
        : excerpt(name);
  }

  /**
   * Text from a document as an error message may show it: lowercase hex ids and UUIDs (never
   * secret) whole; anything else with control characters made visible and cut to 8 characters,
   * so that no message carries a usable part of a token secret, however the text was damaged.
   */
  public static String excerpt(String s) {
    if (s.length() <= 64 && s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
        || c == '-')) {
      return s;
    }
    StringBuilder b = new StringBuilder(12);
    for (int k = 0; k < s.length() && k < 8; k++) {
      char c = s.charAt(k);
      b.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
    }
    return s.length() > 8 ? b.append('\u2026').toString() : b.toString();
  }

  /**
   * A message (from a model constructor, say) with every quoted span cut by {@link #excerpt} and
   * control characters made visible, at most 300 characters.
   */
  public static String redactQuoted(String message) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"([^\"]*)\"|'([^']*)'").matcher(message);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String q = m.group(1) != null ? "\"" : "'";
      String inner = m.group(1) != null ? m.group(1) : m.group(2);
      m.appendReplacement(b, java.util.regex.Matcher.quoteReplacement(q + excerpt(inner) + q));
    }
    m.appendTail(b);
    StringBuilder out = new StringBuilder(Math.min(b.length(), 300));
    for (int k = 0; k < b.length() && k < 300; k++) {
      char c = b.charAt(k);
      out.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
    }
    return out.toString();
  }
}
