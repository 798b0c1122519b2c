package io.pairgate.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner reports mismatches and malformed vectors precisely. */
class ScenarioRunnerTest {
  private final ScenarioRunner runner = ScenarioRunner.inMemory();

  private static String vector(String steps) {
    return "{\"name\": \"t\", \"devices\": {\"alice\": {\"seed\": \"alice\"}, \"bob\": {\"seed\": \"bob\"}},"
        + " \"steps\": [" + steps + "]}";
  }

  private ScenarioResult run(String steps) {
    return runner.run("test", vector(steps));
  }

  @Test
  void passingVector_reportsPassAndStepCount() {
    ScenarioResult r = run("{\"op\": \"connect\", \"device\": \"alice\", \"scopes\": [\"operator.read\"],"
        + " \"expect\": {\"outcome\": \"pairing-required\", \"reason\": \"not-paired\", \"requestId\": \"$r\"}},"
        + "{\"op\": \"approve\", \"request\": \"$r\", \"expect\": {\"outcome\": \"approved\"}}");
    assertEquals(ScenarioResult.Grade.PASS, r.status(), r::toString);
    assertEquals(2, r.stepsRun());
    assertEquals("PASS t", r.toString());
  }

  @Test
  void wrongOutcome_failsNamingStepExpectedAndGot() {
    ScenarioResult r = run("{\"op\": \"connect\", \"device\": \"alice\","
        + " \"expect\": {\"outcome\": \"allowed\"}}");
    assertEquals(ScenarioResult.Grade.FAIL, r.status());
    assertEquals("step 1 (connect) alice: expected outcome allowed got pairing-required",
        r.message());
  }

  @Test
  void wrongError_failsWithBothNames() {
    ScenarioResult r = run("{\"op\": \"approve\", \"request\": \"00000000-0000-4000-8000-000000000000\","
        + " \"expect\": {\"outcome\": \"error\", \"error\": \"expired\"}}");
    assertEquals(ScenarioResult.Grade.FAIL, r.status());
    assertTrue(r.message().startsWith("step 1 (approve) 00000000-0000-4000-8000-000000000000: "
        + "expected error expired got unknown-request"), r.message());
  }

  @Test
  void sameVariable_mustHoldTheSameValue_andDifferentVariablesDifferentValues() {
    ScenarioResult changed = run(
        "{\"op\": \"connect\", \"device\": \"alice\", \"scopes\": [\"operator.read\"], \"expect\": {\"requestId\": \"$r1\"}},"
        + "{\"op\": \"connect\", \"device\": \"alice\", \"scopes\": [\"operator.write\"], \"expect\": {\"requestId\": \"$r1\"}}");
    assertEquals(ScenarioResult.Grade.FAIL, changed.status());
    assertTrue(changed.message().startsWith("step 2 (connect) alice: expected requestId $r1 ("),
        changed.message());
    ScenarioResult aliased = run(
        "{\"op\": \"connect\", \"device\": \"alice\", \"expect\": {\"requestId\": \"$r1\"}},"
        + "{\"op\": \"connect\", \"device\": \"alice\", \"expect\": {\"requestId\": \"$r2\"}}");
    assertEquals(ScenarioResult.Grade.FAIL, aliased.status());
    assertTrue(aliased.message().contains("which is already $r1"), aliased.message());
  }

  @Test
  void unknownOp_isAnErrorNamingTheStep() {
    ScenarioResult r = run("{\"op\": \"advance\", \"ms\": 1}, {\"op\": \"approve-all\"}");
    assertEquals(ScenarioResult.Grade.ERROR, r.status());
    assertTrue(r.message().startsWith("step 2: unknown op \"approve-all\""), r.message());
  }

  @Test
  void unknownField_isAnErrorNamingTheStepAndField() {
    ScenarioResult r = run("{\"op\": \"connect\", \"device\": \"alice\", \"scope\": [\"operator.read\"]}");
    assertEquals(ScenarioResult.Grade.ERROR, r.status());
    assertTrue(r.message().startsWith("step 1 (connect): unknown field \"scope\""), r.message());
    ScenarioResult e = run("{\"op\": \"connect\", \"device\": \"alice\", \"expect\": {\"outcom\": \"allowed\"}}");
    assertTrue(e.message().startsWith("step 1 (connect).expect: unknown field \"outcom\""),
        e.message());
    ScenarioResult h = run("{\"op\": \"connect\", \"device\": \"alice\", \"headers\": {\"Cookie\": \"x\"}}");
    assertTrue(h.message().contains("unknown header \"Cookie\""), h.message());
    ScenarioResult d = run("{\"op\": \"block\", \"device\": \"mallory\"}");
    assertTrue(d.message().contains("unknown device \"mallory\""), d.message());
    ScenarioResult n = run("{\"op\": \"connect\", \"device\": \"alice\", \"expect\": {\"error\": \"nope\"}}");
    assertTrue(n.message().contains("unknown error name \"nope\""), n.message());
  }

  @Test
  void unboundVariable_isAnError() {
    ScenarioResult r = run("{\"op\": \"approve\", \"request\": \"$never\"}");
    assertEquals(ScenarioResult.Grade.ERROR, r.status());
    assertTrue(r.message().contains("$never is used before it is bound"), r.message());
  }

  @Test
  void badJson_isAnErrorWithPosition() {
    ScenarioResult r = runner.run("bad", "{\"name\": \"x\",\n \"steps\": [}");
    assertEquals(ScenarioResult.Grade.ERROR, r.status());
    assertTrue(r.message().startsWith("JSON syntax error at line 2"), r.message());
    ScenarioResult dup = runner.run("dup", "{\"name\": \"x\", \"name\": \"y\"}");
    assertTrue(dup.message().contains("duplicate key \"name\""), dup.message());
  }

  @Test
  void runAll_runsEveryJsonFileOfADirectoryInPathOrder(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("b.json"), vector("{\"op\": \"connect\", \"device\": \"alice\", "
        + "\"expect\": {\"outcome\": \"rejected\"}}"), StandardCharsets.UTF_8);
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("sub/a.json"), vector("{\"op\": \"advance\", \"ms\": 5}"),
        StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("notes.txt"), "ignored", StandardCharsets.UTF_8);
    List<ScenarioResult> rs = ScenarioRunner.inMemory().runAll(dir);
    assertEquals(2, rs.size());
    assertEquals(ScenarioResult.Grade.FAIL, rs.get(0).status());
    assertTrue(rs.get(0).source().endsWith("b.json"));
    assertEquals(ScenarioResult.Grade.PASS, rs.get(1).status());
  }

  /** The key derivation example of docs/scenarios.md §4. */
  @Test
  void deviceKeyDerivation_matchesTheDocumentedExample() {
    io.pairgate.DeviceKeyPair k = SampleRecords.keyPair("alice");
    assertEquals("2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90",
        java.util.HexFormat.of().formatHex(k.seed()));
    assertEquals("1b9KP8znF7A4i8wnSevBSK2ZabI_Re4bYF_Vh3hXasQ", k.publicKey().base64Url());
    assertEquals("1c0c490f1b5528d8173c5de46d131160e4b2c0c3c40a199dd6c1fcbd697a0201",
        k.deviceId().value());
  }
}
