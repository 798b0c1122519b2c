package io.pairgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioCommandTest {
  static final Path SHIPPED = Path.of("..", "testkit", "src", "main", "resources", "io", "pairgate",
      "testkit", "scenarios");
  @TempDir Path tmp;

  @Test
  void shippedVectorsAllPass() {
    CliRunner cli = new CliRunner(tmp, Clock.systemUTC());
    CliRunner.Result r = cli.runRaw("scenario", "run", SHIPPED.toString());
    assertEquals(0, r.code(), r.toString());
    List<String> lines = r.out().lines().toList();
    assertTrue(lines.size() > 10, r.out());
    assertTrue(lines.subList(0, lines.size() - 1).stream().allMatch(l -> l.startsWith("PASS ")), r.out());
    assertEquals((lines.size() - 1) + " passed, 0 failed", lines.get(lines.size() - 1));
    CliRunner.Result bundled = cli.runRaw("scenario", "run");
    assertEquals(0, bundled.code(), bundled.toString());
    assertTrue(bundled.out().endsWith(" passed, 0 failed\n"), bundled.out());
  }

  @Test
  void failingVectorPrintsStepExpectedGotAndExitsOne() throws Exception {
    Path v = tmp.resolve("wrong.json");
    Files.writeString(v, """
        {"name": "deliberately wrong", "devices": {"alice": {"seed": "alice"}},
         "steps": [
           {"op": "connect", "device": "alice", "scopes": ["operator.read"],
            "expect": {"outcome": "allowed"}}
         ]}
        """);
    Path ok = SHIPPED.resolve("reject.json");
    CliRunner cli = new CliRunner(tmp, Clock.systemUTC());
    CliRunner.Result r = cli.runRaw("scenario", "run", ok.toString(), v.toString());
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.out().contains("PASS a rejected request is gone"), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("FAIL deliberately wrong: step 1")
        && l.contains("expected") && l.contains("got")), r.out());
    assertTrue(r.out().endsWith("1 passed, 1 failed\n"), r.out());
    CliRunner.Result missing = cli.runRaw("scenario", "run", tmp.resolve("nope").toString());
    assertEquals(2, missing.code(), missing.toString());
    assertTrue(missing.err().startsWith("pairgate: no such file or directory"), missing.err());
  }
}
