package io.pairgate.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one JSON reader: the values it builds and the typed errors it gives for bad text. */
class JsonReaderTest {
  private static JsonException refused(String text) {
    JsonException e = assertThrows(JsonException.class, () -> JsonReader.parse(text));
    assertTrue(e.getMessage().length() < 200, e.getMessage());
    assertFalse(e.getMessage().chars().anyMatch(Character::isISOControl), e.getMessage());
    return e;
  }

  @Test
  void readsEveryKindOfValue() {
    Object v = JsonReader.parse(" {\"a\": [1, -2, 9223372036854775807, 1.5, 2e3, 123456789012345678901],"
        + " \"b\": \"x\\u00e9\\n\\\"\", \"c\": true, \"d\": false, \"e\": null, \"f\": {}}\n");
    Map<?, ?> m = (Map<?, ?>) v;
    assertEquals(List.of("a", "b", "c", "d", "e", "f"), List.copyOf(m.keySet()), "document order");
    List<?> a = (List<?>) m.get("a");
    assertEquals(1L, a.get(0));
    assertEquals(-2L, a.get(1));
    assertEquals(Long.MAX_VALUE, a.get(2));
    assertEquals(new BigDecimal("1.5"), a.get(3));
    assertEquals(new BigDecimal("2e3"), a.get(4));
    assertEquals(new BigDecimal("123456789012345678901"), a.get(5), "beyond a long: a BigDecimal");
    assertEquals("x\u00e9\n\"", m.get("b"));
    assertEquals(Boolean.TRUE, m.get("c"));
    assertEquals(Boolean.FALSE, m.get("d"));
    assertTrue(m.containsKey("e"));
    assertNull(m.get("e"));
    assertEquals(Map.of(), m.get("f"));
    assertEquals("\ud800", JsonReader.parse("\"\\ud800\""), "an unpaired surrogate survives");
  }

  /** F18: a huge exponent is a typed "out of range" error, never an arithmetic exception. */
  @Test
  void aHugeExponentOrAnOverlongNumberIsOutOfRange() {
    for (String n : List.of("1e771200000000", "-1E-771200000000", "1e1001",
        "9".repeat(1001), "0." + "1".repeat(1000))) {
      JsonException e = refused("[" + n + "]");
      assertEquals("a number out of range", e.problem(), n);
      assertTrue(e.getMessage().startsWith("not valid JSON: a number out of range"), e.getMessage());
      assertFalse(e.truncated());
    }
    assertEquals(new BigDecimal("1e1000"), JsonReader.parse("1e1000"), "the limit itself is read");
  }

  @Test
  void deepNestingIsRefusedWithoutExhaustingTheStack() {
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    assertTrue(refused(deep).problem().startsWith("nested deeper than 64"));
    assertTrue(refused("{\"a\":".repeat(70) + "1" + "}".repeat(70)).problem()
        .startsWith("nested deeper"));
    String ok = "[".repeat(64) + "]".repeat(64);
    JsonReader.parse(ok);
  }

  @Test
  void aLongStringIsReadUpToTheLimit() {
    String s = "a".repeat(1_000_000);
    assertEquals(s, JsonReader.parse("\"" + s + "\""));
    assertEquals(s + "\n", JsonReader.parse("\"" + s + "\\n\""));
  }

  @Test
  void duplicateKeysAreRefusedNamingOnlyPlainFieldNames() {
    JsonException e = refused("{\"blocked\": false, \"blocked\": true}");
    assertEquals("duplicate field \"blocked\"", e.problem());
    String secret = "Kq7ZpX2mW9vL4tR8nJ3hB6sD1fG5aC0eU9yI2oQ4wE0";
    e = refused("{\"" + secret + "\": 1, \"" + secret + "\": 2}");
    assertFalse(e.getMessage().contains(secret.substring(0, 12)), e.getMessage());
    assertTrue(e.problem().startsWith("duplicate field \"Kq7ZpX2m\u2026\""), e.getMessage());
  }

  @Test
  void malformedTextIsATypedErrorWithItsPlace() {
    assertEquals("trailing content after the document", refused("{} {").problem());
    assertEquals("a number with a leading zero", refused("[01]").problem());
    assertEquals("unescaped control character in a string", refused("\"a\u0001\"").problem());
    assertEquals("unknown escape", refused("\"\\x\"").problem());
    assertEquals("malformed \\u escape", refused("\"\\u12g4\"").problem());
    assertEquals("unexpected token", refused("[nul]").problem());
    assertEquals("expected a field name", refused("{1: 2}").problem());
    assertEquals("unexpected character", refused("[+1]").problem());
    assertEquals("malformed number", refused("[1.]").problem());
    JsonException e = refused("{\n  \"a\": x}");
    assertEquals(2, e.line());
    assertEquals(8, e.column());
    assertEquals("not valid JSON: unexpected character (line 2, column 8)", e.getMessage());
  }

  @Test
  void anIncompleteDocumentIsTruncated() {
    for (String t : List.of("", "   ", "{", "{\"a\"", "{\"a\":", "[1,", "\"abc", "tru", "-",
        "1e", "\"\\u12")) {
      JsonException e = refused(t);
      assertTrue(e.truncated(), t);
      assertTrue(e.getMessage().startsWith("truncated: "), e.getMessage());
    }
  }

  @Test
  void bytesMustBeUtf8() {
    JsonException e = assertThrows(JsonException.class,
        () -> JsonReader.parse(new byte[] {'"', (byte) 0xc3, '"'}));
    assertEquals("not valid JSON: not UTF-8 text", e.getMessage());
    assertEquals("\u00e9", JsonReader.parse("\"\u00e9\"".getBytes(StandardCharsets.UTF_8)));
    assertTrue(assertThrows(JsonException.class, () -> JsonReader.parse(new byte[0])).truncated());
  }
}
