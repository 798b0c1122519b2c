package io.pairgate.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pairgate.testsupport.FuzzText;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes scenario-vector parsing ({@code ScenarioRunner.Scenario.parse}) and running
 * ({@link ScenarioRunner#run(String, String)}), seeded with the bundled vectors. Every input either
 * parses, or is refused with the runner's own syntax or malformation error (no other throwable, no
 * stack overflow on deep nesting), whose text is printable, bounded and does not quote a secret
 * ({@code SECRET} in an input becomes a 43-character token first). Running a parsed vector never
 * throws: it ends PASS, FAIL or ERROR, and a FAIL never comes from an untyped exception of the
 * service (only {@code io.pairgate} exceptions are expected outcomes).
 */
class ScenarioVectorFuzzTest {
  private static final String SECRET = "Kq7ZpX2mW9vL4tR8nJ3hB6sD1fG5aC0eU9yI2oQ4wE0";
  private static final int MAX_STEPS_RUN = 24;

  @FuzzTest(maxDuration = "10m")
  void parseAndRun(byte[] data) {
    String json = new String(FuzzText.replace(data, "SECRET", SECRET), StandardCharsets.UTF_8);
    ScenarioRunner.Scenario sc;
    try {
      sc = ScenarioRunner.Scenario.parse(json);
    } catch (Json.ParseException | ScenarioRunner.Malformed e) {
      FuzzText.assertNoEcho(e.getMessage(), SECRET);
      FuzzText.assertSafeText(e.getMessage(), 400 + json.length() / 4);
      ScenarioResult r = ScenarioRunner.inMemory().run("fuzz", json);
      assertEquals(ScenarioResult.Grade.ERROR, r.status(), r::toString);
      assertEquals(e.getMessage(), r.message());
      return;
    } catch (RuntimeException | StackOverflowError e) {
      fail("parsing a vector threw " + e, e);
      return;
    }
    assertNotNull(sc.name());
    if (sc.steps().size() > MAX_STEPS_RUN) {
      return;
    }
    ScenarioResult r = ScenarioRunner.inMemory().run("fuzz", json);
    if (r.status() == ScenarioResult.Grade.ERROR) {
      FuzzText.assertNoEcho(r.message(), SECRET);
      FuzzText.assertSafeText(r.message(), 400 + json.length() / 4);
    }
    if (r.status() == ScenarioResult.Grade.FAIL) {
      int at = r.message().indexOf("the service threw ");
      assertFalse(at >= 0 && !r.message().startsWith("io.pairgate.", at + 18),
          () -> "the service threw an untyped exception: " + r.message());
    }
  }
}
