package io.pairgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class SimulateCommandTest {
  @TempDir Path tmp;

  @Test
  void inMemoryRunPrintsEveryPropertyAndTheStatistics() {
    CliRunner cli = new CliRunner(tmp.resolve("unused"), Clock.systemUTC());
    CliRunner.Result r = cli.runRaw("simulate", "--seed", "3", "--devices", "3", "--steps", "25");
    assertEquals(0, r.code(), r.toString());
    for (String p : new String[] {"DET", "P1", "P2", "P3", "P4", "P5", "P6", "P7"}) {
      assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith(p + " ") && l.contains(" ok ")),
          p + " missing:\n" + r.out());
    }
    assertTrue(r.out().contains("Reconnects to convergence: max "), r.out());
    assertTrue(r.out().contains("Approvals needed: "), r.out());
    assertTrue(r.out().contains("Request ids minted per upgrade: max "), r.out());
    assertTrue(r.out().matches("(?s).*Trace hash: [0-9a-f]{64}\\n.*"), r.out());
    assertTrue(r.out().contains("CONVERGED (seed 3"), r.out());
    assertTrue(r.err().contains("Simulating 3 devices"), "progress goes to stderr");
  }

  @Test
  void durableRunLeavesAStoreThatCheckAcceptsAndTheSameTraceHash() {
    Path store = tmp.resolve("sim");
    CliRunner cli = new CliRunner(store, Clock.systemUTC());
    JsonNode durable = cli.run("simulate", "--seed", "5", "--devices", "2", "--steps", "20", "--json").json();
    JsonNode memory = cli.runRaw("simulate", "--seed", "5", "--devices", "2", "--steps", "20", "--json").json();
    assertTrue(durable.get("converged").asBoolean(), durable.toString());
    assertEquals(memory.get("traceHash").asString(), durable.get("traceHash").asString(),
        "the durable store behaves exactly like the in-memory one");
    Set<String> fields = new TreeSet<>(durable.propertyNames());
    assertEquals(new TreeSet<>(Set.of("converged", "seed", "devices", "steps", "properties",
        "maxReconnectsToConvergence", "p99ReconnectsToConvergence", "totalApprovals",
        "maxApprovalsPerDevice", "maxRequestIdsPerUpgrade", "meanRequestIdsPerUpgrade",
        "unconvergedDevices", "traceHash", "violations", "counterexample", "elapsedMs")), fields);
    CliRunner.Result check = cli.run("store", "check");
    assertEquals(0, check.code(), check.toString());
    assertTrue(check.out().contains("2 device record(s)"), check.out());

    CliRunner.Result again = cli.run("simulate", "--devices", "2", "--steps", "5");
    assertEquals(1, again.code(), again.toString());
    assertTrue(again.err().contains("simulate needs an empty store"), again.err());
  }
}
