package io.pairgate.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Scenario-vector findings of the fuzz target (docs/security-fuzzing.md). */
class FuzzFindingsTest {
  private static final String SECRET = "Kq7ZpX2mW9vL4tR8nJ3hB6sD1fG5aC0eU9yI2oQ4wE0";

  private static ScenarioResult run(String json) {
    return ScenarioRunner.inMemory().run("test", json);
  }

  @Test
  void deeplyNestedVectorsAreMalformedNotAStackOverflow() {
    ScenarioResult r = run("[".repeat(100_000));
    assertEquals(ScenarioResult.Grade.ERROR, r.status());
    assertTrue(r.message().contains("nested deeper than"), r.message());
  }

  @Test
  void malformationsNameFieldsButDoNotQuoteSecretsOrControlCharacters() {
    ScenarioResult r = run("{\"name\":\"x\",\"devices\":{},\"steps\":[],\"" + SECRET + "\":1}");
    assertEquals(ScenarioResult.Grade.ERROR, r.status());
    assertFalse(r.message().contains(SECRET.substring(0, 12)), r.message());
    r = run("{\"name\": " + SECRET + "}");
    assertFalse(r.message().contains(SECRET.substring(0, 12)), r.message());
    r = run("{\"name\":\"x\",\"devices\":{},\"steps\":[{\"op\":\"\\u001b[2J\"}]}");
    assertFalse(r.message().chars().anyMatch(Character::isISOControl), r.message());
    // plain field names are still quoted in full
    r = run("{\"name\":\"x\",\"devices\":{},\"steps\":[{\"op\":\"advance\",\"milliseconds\":1}]}");
    assertTrue(r.message().contains("\"milliseconds\""), r.message());
  }

  @Test
  void aConfigTheServiceRefusesIsAMalformedVectorNotAnException() {
    ScenarioResult r = run("{\"name\":\"x\",\"config\":{\"trustedProxies\":[\"09.0.0.2\"]},"
        + "\"devices\":{},\"steps\":[]}");
    assertEquals(ScenarioResult.Grade.ERROR, r.status());
    assertTrue(r.message().startsWith("config: invalid trustedProxies"), r.message());
  }

  /** F12: a device name is vector content; the error path shows it only as an excerpt. */
  @Test
  void aDeviceNameInAnErrorPathIsCutLikeAnyOtherVectorContent() {
    ScenarioResult r = run("{\"name\":\"x\",\"devices\":{\"" + SECRET
        + "\":{\"sed\":\"a\"}},\"steps\":[]}");
    assertEquals(ScenarioResult.Grade.ERROR, r.status());
    assertFalse(r.message().contains(SECRET.substring(0, 12)), r.message());
    assertTrue(r.message().startsWith("vector.devices." + SECRET.substring(0, 8) + "\u2026: "),
        r.message());
    // a plain device name still appears whole, so the author can find the entry
    r = run("{\"name\":\"x\",\"devices\":{\"phone\":{\"sed\":\"a\"}},\"steps\":[]}");
    assertTrue(r.message().startsWith("vector.devices.phone: unknown field"), r.message());
  }

  /** F16: a quote inside an unknown key must not break the message's quoting and leak the rest. */
  @Test
  void aQuoteInsideAnUnknownKeyDoesNotUnquoteTheRestOfTheKey() {
    ScenarioResult r = run("{\"\\\"x\\t0" + SECRET + "\":\"\"}");
    assertEquals(ScenarioResult.Grade.ERROR, r.status());
    assertFalse(r.message().contains(SECRET.substring(0, 12)), r.message());
    assertTrue(r.message().startsWith("vector: unknown field \"?x?0"), r.message());
  }
}
