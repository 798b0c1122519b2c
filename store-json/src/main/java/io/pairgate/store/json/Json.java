package io.pairgate.store.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.UnexpectedEndOfInputException;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON for the store files: a strict parser (duplicate keys, trailing tokens and lossy numbers are
 * errors) and a writer that emits keys sorted, two-space indented, one value per line, like
 * {@code JSON.stringify(value, null, 2)} with sorted keys. Values are trees of {@link Map}s (written
 * in key order), {@link List}s, {@link String}s, {@link Long}s, {@link BigDecimal}s,
 * {@link Boolean}s and {@code null}.
 */
final class Json {
  private static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      // never quote file content (a token secret) in a parse error's location
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

  private Json() {}

  /** A parse failure: {@link #truncated} says whether the input ended early. */
  static final class ParseFailure extends Exception {
    private static final long serialVersionUID = 1L;
    final boolean truncated;

    ParseFailure(String message, boolean truncated, @Nullable Throwable cause) {
      super(message, cause);
      this.truncated = truncated;
    }
  }

  /** A schema violation at a JSON path such as {@code paired.tokens.operator.createdAtMs}. */
  static class SchemaViolation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SchemaViolation(String message) {
      super(message);
    }

    SchemaViolation(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Parses one JSON document. */
  static JsonNode parse(byte[] bytes) throws ParseFailure {
    if (bytes.length == 0) {
      throw new ParseFailure("truncated: the file is empty", true, null);
    }
    try {
      return MAPPER.readTree(bytes);
    } catch (UnexpectedEndOfInputException e) {
      throw new ParseFailure("truncated: the JSON ends before the document is complete"
          + location(e), true, null);
    } catch (JacksonException e) {
      throw failure(e);
    } catch (NumberFormatException | ArithmeticException e) {
      throw numberOutOfRange();
    }
  }

  /**
   * F18: Jackson refuses a number such as {@code 1e771200000000} with a
   * {@link NumberFormatException} (not a {@link JacksonException}), and exact arithmetic on it
   * could run for minutes. The file is damaged; the message quotes nothing of it.
   */
  private static ParseFailure numberOutOfRange() {
    return new ParseFailure("not valid JSON: a number out of range", false, null);
  }

  /**
   * A parse failure that quotes nothing of the input: Jackson's messages quote the offending token
   * ("Unrecognized token 'n4bQgYhMfW…'"), which may be part of a token secret, so only the words
   * before the first quote or parenthesis are kept, plus the line and column. The Jackson exception
   * is not kept as the cause either (its message would reach logs with a stack trace).
   */
  static ParseFailure failure(JacksonException e) {
    String m = e.getOriginalMessage();
    if (m == null) {
      m = "";
    }
    if (m.contains("end-of-input")) {
      return new ParseFailure("truncated: the JSON ends before the document is complete"
          + location(e), true, null);
    }
    java.util.regex.Matcher dup =
        java.util.regex.Pattern.compile("^Duplicate Object property \"([^\"]{1,64})\"").matcher(m);
    if (dup.find()) {
      // a field name is what the operator must find, but a damaged file can hold anything as a
      // key (F13): only a plain camelCase name or a hex id is shown whole, anything else cut
      String name = dup.group(1);
      String shown = name.matches("[a-z]{1,16}([A-Z][a-z]{1,16}){0,4}") ? name : excerpt(name);
      return new ParseFailure("not valid JSON: duplicate field \"" + shown + "\""
          + location(e), false, null);
    }
    return new ParseFailure("not valid JSON: " + contentFree(m) + location(e), false, null);
  }

  /** The leading words of a Jackson message, up to the first character that starts a quote. */
  static String contentFree(String m) {
    int end = m.length();
    for (int i = 0; i < m.length(); i++) {
      char c = m.charAt(i);
      if (c == '\'' || c == '"' || c == '(' || c == ':' || c == '\n' || c == '[' || c == '`') {
        end = i;
        break;
      }
    }
    String s = m.substring(0, end).trim();
    return s.isEmpty() ? "syntax error" : s.toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * File content as an error message may show it: lowercase hex ids and UUIDs (never secret) whole;
   * anything else with control characters made visible and cut to 8 characters, so that no message
   * carries a usable part of a token secret, however the file was damaged.
   */
  static String excerpt(String s) {
    if (s.length() <= 64 && s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
        || c == '-')) {
      return s;
    }
    StringBuilder b = new StringBuilder(12);
    for (int i = 0; i < s.length() && i < 8; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
    }
    return s.length() > 8 ? b.append('\u2026').toString() : b.toString();
  }

  /**
   * A role or scope name as a report shows it: whole when it looks like one (a letter, then at
   * most 47 letters, dots, colons, dashes or underscores), else cut by {@link #excerpt}. A damaged
   * or hostile file can put anything, a token secret included, where a name belongs (F17).
   */
  static String name(String s) {
    return s.matches("[A-Za-z][A-Za-z._:-]{0,47}") ? s : excerpt(s);
  }

  /** Names as a report shows them: {@code [a, b]}, each through {@link #name}. */
  static String names(java.util.Collection<?> names) {
    StringBuilder b = new StringBuilder("[");
    for (Object n : names) {
      b.append(b.length() > 1 ? ", " : "").append(name(n instanceof io.pairgate.Role r ? r.name()
          : String.valueOf(n)));
    }
    return b.append(']').toString();
  }

  /** A message from Jackson or the model with every quoted span cut by {@link #excerpt}. */
  static String redactQuoted(String message) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"([^\"]*)\"|'([^']*)'").matcher(message);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String q = m.group(1) != null ? "\"" : "'";
      String inner = m.group(1) != null ? m.group(1) : m.group(2);
      m.appendReplacement(b, java.util.regex.Matcher.quoteReplacement(q + excerpt(inner) + q));
    }
    m.appendTail(b);
    return controlsVisible(b.toString());
  }

  private static String controlsVisible(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? '?' : c);
    }
    return b.toString();
  }

  private static String location(JacksonException e) {
    return e.getLocation() == null ? ""
        : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
            + ")";
  }

  /**
   * Reads a device file as a token stream, without building a tree or model: checks that it is
   * complete, well-formed JSON (strictly, as {@link #parse}), and returns its top-level scalars and
   * request ids. This is what opening a store does for every device; full validation happens when
   * a record is read.
   */
  static DeviceSummary scanDevice(byte[] bytes) throws ParseFailure {
    if (bytes.length == 0) {
      throw new ParseFailure("truncated: the file is empty", true, null);
    }
    String format = null;
    long formatVersion = Long.MIN_VALUE;
    String deviceId = null;
    long version = Long.MIN_VALUE;
    List<String> ids = new ArrayList<>(4);
    PendingSummary pending = null;
    try (JsonParser p = MAPPER.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new SchemaViolation("expected an object, found " + tokenKind(p.currentToken()));
      }
      String name;
      while ((name = p.nextName()) != null) {
        JsonToken t = p.nextToken();
        switch (name) {
          case "format" -> format = t == JsonToken.VALUE_STRING ? p.getString() : null;
          case "deviceId" -> deviceId = t == JsonToken.VALUE_STRING ? p.getString() : null;
          case "formatVersion" ->
              formatVersion = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : Long.MIN_VALUE;
          case "version" ->
              version = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : Long.MIN_VALUE;
          case "pending" -> {
            if (t == JsonToken.START_OBJECT) {
              pending = pendingOf(p);
              if (pending.requestId() != null) {
                ids.add(0, pending.requestId());
              }
            } else {
              p.skipChildren();
            }
          }
          case "resolved" -> {
            if (t == JsonToken.START_ARRAY) {
              while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() == JsonToken.START_OBJECT) {
                  String id = requestIdOf(p);
                  if (id != null) {
                    ids.add(id);
                  }
                } else {
                  p.skipChildren();
                }
              }
            } else {
              p.skipChildren();
            }
          }
          default -> p.skipChildren();
        }
      }
      if (p.nextToken() != null) {
        throw new ParseFailure("not valid JSON: trailing content after the document"
            + location(p.currentLocation()), false, null);
      }
    } catch (UnexpectedEndOfInputException e) {
      throw new ParseFailure("truncated: the JSON ends before the document is complete"
          + location(e), true, null);
    } catch (JacksonException e) {
      throw failure(e);
    } catch (NumberFormatException | ArithmeticException e) {
      throw numberOutOfRange();
    }
    return new DeviceSummary(format, formatVersion, deviceId, version, ids, pending);
  }

  /** Reads a pending request object (the parser is on its START_OBJECT). */
  private static PendingSummary pendingOf(JsonParser p) {
    String id = null;
    String address = "";
    Instant expires = Instant.MAX;
    String name;
    while ((name = p.nextName()) != null) {
      JsonToken t = p.nextToken();
      if (name.equals("requestId") && t == JsonToken.VALUE_STRING) {
        id = p.getString();
      } else if (name.equals("remoteAddress") && t == JsonToken.VALUE_STRING) {
        address = p.getString();
      } else if (name.equals("expiresAtMs") && t == JsonToken.VALUE_NUMBER_INT
          && p.getNumberType() == JsonParser.NumberType.LONG
          || name.equals("expiresAtMs") && t == JsonToken.VALUE_NUMBER_INT
          && p.getNumberType() == JsonParser.NumberType.INT) {
        expires = Instant.ofEpochMilli(p.getLongValue());
      } else if (name.equals("expiresAt") && t == JsonToken.VALUE_STRING) {
        try {
          expires = io.pairgate.internal.json.RecordJson.parseInstant(p.getString());
        } catch (DateTimeException e) {
          expires = Instant.MAX; // reading the record reports it
        }
      } else if (name.equals("expiresAtMs") && t.isNumeric()) {
        try {
          expires = instant(MAPPER.getNodeFactory().numberNode(p.getDecimalValue()), "expiresAtMs");
        } catch (SchemaViolation e) {
          expires = Instant.MAX; // reading the record reports it
        }
      } else {
        p.skipChildren();
      }
    }
    return new PendingSummary(id, expires, address);
  }

  /** The pending request of a device file, as far as the index needs it. */
  record PendingSummary(@Nullable String requestId, Instant expiresAt, String remoteAddress) {}

  /** Reads an object (the parser is on its START_OBJECT) and returns its "requestId" string. */
  private static @Nullable String requestIdOf(JsonParser p) {
    String id = null;
    String name;
    while ((name = p.nextName()) != null) {
      JsonToken t = p.nextToken();
      if (name.equals("requestId") && t == JsonToken.VALUE_STRING) {
        id = p.getString();
      } else {
        p.skipChildren();
      }
    }
    return id;
  }

  private static String tokenKind(@Nullable JsonToken t) {
    if (t == null) {
      return "nothing";
    }
    return switch (t) {
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String location(tools.jackson.core.TokenStreamLocation l) {
    return " (line " + l.getLineNr() + ", column " + l.getColumnNr() + ")";
  }

  /**
   * The top-level facts of a device file; absent or mistyped scalars are null or
   * {@link Long#MIN_VALUE}.
   */
  record DeviceSummary(@Nullable String format, long formatVersion, @Nullable String deviceId,
      long version, List<String> requestIds, @Nullable PendingSummary pending) {}

  // ---------------------------------------------------------------------------------------------
  // writing

  /** A new map whose entries are written in key order. */
  static Map<String, @Nullable Object> object() {
    return new TreeMap<>();
  }

  /** Serializes a tree, followed by a newline. */
  static byte[] write(@Nullable Object value) {
    StringBuilder b = new StringBuilder(1024);
    write(b, value, 0);
    b.append('\n');
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void write(StringBuilder b, @Nullable Object v, int indent) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof String s) {
      b.append('"');
      JsonStringEncoder.getInstance().quoteAsString(s, b);
      b.append('"');
    } else if (v instanceof Boolean || v instanceof Long || v instanceof Integer
        || v instanceof BigInteger) {
      b.append(v);
    } else if (v instanceof BigDecimal d) {
      b.append(d.toPlainString());
    } else if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        b.append("{}");
        return;
      }
      Map<?, ?> sorted = m instanceof TreeMap<?, ?> ? m : new TreeMap<>(m);
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : sorted.entrySet()) {
        b.append(first ? "\n" : ",\n");
        first = false;
        indent(b, indent + 1);
        write(b, (String) e.getKey(), 0);
        b.append(": ");
        write(b, e.getValue(), indent + 1);
      }
      b.append('\n');
      indent(b, indent);
      b.append('}');
    } else if (v instanceof Collection<?> c) {
      if (c.isEmpty()) {
        b.append("[]");
        return;
      }
      b.append('[');
      boolean first = true;
      for (Object o : c) {
        b.append(first ? "\n" : ",\n");
        first = false;
        indent(b, indent + 1);
        write(b, o, indent + 1);
      }
      b.append('\n');
      indent(b, indent);
      b.append(']');
    } else {
      throw new IllegalArgumentException("cannot write " + v.getClass());
    }
  }

  private static void indent(StringBuilder b, int n) {
    for (int i = 0; i < n; i++) {
      b.append("  ");
    }
  }

  /**
   * An instant as epoch milliseconds: a {@link Long} when it is a whole millisecond, else a
   * {@link BigDecimal} with up to six fraction digits (exact to the nanosecond).
   */
  static Object epochMs(Instant t) {
    int nano = t.getNano();
    long sec = t.getEpochSecond();
    if (nano % 1_000_000 == 0 && Math.abs(sec) < Long.MAX_VALUE / 1000 - 1) {
      return sec * 1000L + nano / 1_000_000;
    }
    BigDecimal ms = BigDecimal.valueOf(sec).multiply(THOUSAND).add(BigDecimal.valueOf(nano, 6));
    return nano == 0 ? ms.setScale(0) : ms.stripTrailingZeros();
  }

  /** An instant as whole epoch milliseconds (sub-millisecond precision is dropped). */
  static long epochMsTruncated(Instant t) {
    return Math.floorDiv(t.getEpochSecond() * 1_000_000_000L + t.getNano(), 1_000_000L);
  }

  /** Parses {@link #epochMs}. */
  static Instant instant(JsonNode n, String path) {
    if (!n.isNumber()) {
      throw new SchemaViolation(path + ": expected epoch milliseconds (a number), found "
          + kind(n));
    }
    try {
      if (n.isIntegralNumber() && n.canConvertToLong()) {
        return Instant.ofEpochMilli(n.longValue());
      }
      BigDecimal ms = n.decimalValue();
      // bound the magnitude before any exact arithmetic (F18): an Instant holds at most about
      // 3.2e19 ms, and a nanosecond is 1e-6 ms, so more digits than that cannot be an instant
      if (ms.signum() != 0 && (long) ms.precision() - ms.scale() > 20) {
        throw new SchemaViolation(path + ": epoch milliseconds out of range");
      }
      if (ms.stripTrailingZeros().scale() > 6) {
        throw new SchemaViolation(path + ": epoch milliseconds finer than a nanosecond");
      }
      BigDecimal nanos = ms.multiply(BigDecimal.valueOf(1_000_000L));
      BigInteger whole;
      try {
        whole = nanos.toBigIntegerExact();
      } catch (ArithmeticException e) {
        throw new SchemaViolation(path + ": epoch milliseconds finer than a nanosecond: " + n);
      }
      BigInteger[] qr = whole.divideAndRemainder(BigInteger.valueOf(1_000_000_000L));
      if (qr[1].signum() < 0) {
        qr[0] = qr[0].subtract(BigInteger.ONE);
        qr[1] = qr[1].add(BigInteger.valueOf(1_000_000_000L));
      }
      return Instant.ofEpochSecond(qr[0].longValueExact(), qr[1].longValueExact());
    } catch (DateTimeException | ArithmeticException e) {
      throw new SchemaViolation(path + ": epoch milliseconds out of range: " + n);
    }
  }

  static String kind(JsonNode n) {
    if (n.isMissingNode()) {
      return "nothing";
    }
    return switch (n.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      default -> String.valueOf(n.getNodeType()).toLowerCase(java.util.Locale.ROOT);
    };
  }

  // ---------------------------------------------------------------------------------------------
  // reading

  /** A JSON object being read, with its path for error messages. */
  static final class Obj {
    final JsonNode node;
    final String path;

    private Obj(JsonNode node, String path) {
      this.node = node;
      this.path = path;
    }

    /** Wraps {@code node}, which must be an object. */
    static Obj of(JsonNode node, String path) {
      if (!node.isObject()) {
        throw new SchemaViolation(where(path) + "expected an object, found " + kind(node));
      }
      return new Obj(node, path);
    }

    private static String where(String path) {
      return path.isEmpty() ? "" : path + ": ";
    }

    String at(String key) {
      return path.isEmpty() ? key : path + "." + key;
    }

    /** Fails if the object has a key outside {@code allowed}. */
    Obj only(Set<String> allowed) {
      for (String k : node.propertyNames()) {
        if (!allowed.contains(k)) {
          throw new SchemaViolation(at(excerpt(k)) + ": unknown field (allowed: " + new TreeSet<>(allowed)
              + ")");
        }
      }
      return this;
    }

    boolean has(String key) {
      return node.has(key);
    }

    JsonNode required(String key) {
      JsonNode n = node.get(key);
      if (n == null) {
        throw new SchemaViolation(at(key) + ": required field is missing");
      }
      return n;
    }

    /** A string, or {@code null} when the key is absent or null. */
    @Nullable String optString(String key) {
      JsonNode n = node.get(key);
      if (n == null || n.isNull()) {
        return null;
      }
      if (!n.isString()) {
        throw new SchemaViolation(at(key) + ": expected a string, found " + kind(n));
      }
      return n.stringValue();
    }

    /** A required field that is a string or null. */
    @Nullable String nullableString(String key) {
      JsonNode n = required(key);
      if (n.isNull()) {
        return null;
      }
      if (!n.isString()) {
        throw new SchemaViolation(at(key) + ": expected a string or null, found " + kind(n));
      }
      return n.stringValue();
    }

    String string(String key) {
      JsonNode n = required(key);
      if (!n.isString()) {
        throw new SchemaViolation(at(key) + ": expected a string, found " + kind(n));
      }
      return n.stringValue();
    }

    boolean bool(String key) {
      JsonNode n = required(key);
      if (!n.isBoolean()) {
        throw new SchemaViolation(at(key) + ": expected true or false, found " + kind(n));
      }
      return n.booleanValue();
    }

    @Nullable Boolean optBool(String key) {
      JsonNode n = node.get(key);
      if (n == null || n.isNull()) {
        return null;
      }
      if (!n.isBoolean()) {
        throw new SchemaViolation(at(key) + ": expected true or false, found " + kind(n));
      }
      return n.booleanValue();
    }

    long integer(String key) {
      JsonNode n = required(key);
      if (!n.isIntegralNumber() || !n.canConvertToLong()) {
        throw new SchemaViolation(at(key) + ": expected an integer, found " + kind(n)
            + (n.isNumber() ? " " + n : ""));
      }
      return n.longValue();
    }

    Instant instant(String key) {
      return Json.instant(required(key), at(key));
    }

    /** An instant, or {@code null} when the value is null; the key must be present. */
    @Nullable Instant nullableInstant(String key) {
      JsonNode n = required(key);
      return n.isNull() ? null : Json.instant(n, at(key));
    }

    /** An instant, or {@code null} when the key is absent or null. */
    @Nullable Instant optInstant(String key) {
      JsonNode n = node.get(key);
      return n == null || n.isNull() ? null : Json.instant(n, at(key));
    }

    Obj object(String key) {
      return Obj.of(required(key), at(key));
    }

    /** An object, or {@code null} when the value is null; the key must be present. */
    @Nullable Obj nullableObject(String key) {
      JsonNode n = required(key);
      return n.isNull() ? null : Obj.of(n, at(key));
    }

    /** An object, or {@code null} when the key is absent or null. */
    @Nullable Obj optObject(String key) {
      JsonNode n = node.get(key);
      return n == null || n.isNull() ? null : Obj.of(n, at(key));
    }

    List<JsonNode> array(String key) {
      JsonNode n = required(key);
      if (!n.isArray()) {
        throw new SchemaViolation(at(key) + ": expected an array, found " + kind(n));
      }
      List<JsonNode> out = new ArrayList<>(n.size());
      for (JsonNode e : n) {
        out.add(e);
      }
      return out;
    }

    List<String> strings(String key) {
      List<JsonNode> a = array(key);
      List<String> out = new ArrayList<>(a.size());
      for (int i = 0; i < a.size(); i++) {
        JsonNode e = a.get(i);
        if (!e.isString()) {
          throw new SchemaViolation(at(key) + "[" + i + "]: expected a string, found " + kind(e));
        }
        out.add(e.stringValue());
      }
      return out;
    }

    /** A string array, or {@code null} when the key is absent or null. */
    @Nullable List<String> optStrings(String key) {
      JsonNode n = node.get(key);
      return n == null || n.isNull() ? null : strings(key);
    }

    /** The entries of an object-valued field, in file order. */
    List<Map.Entry<String, JsonNode>> entries() {
      return new ArrayList<>(node.properties());
    }
  }
}
