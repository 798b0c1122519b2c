package io.pairgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The same commands on a JDBC (SQLite) store selected with --jdbc. */
class JdbcStoreTest {
  @TempDir Path tmp;

  @Test
  void simulateListCheckDoctorOnSqlite() {
    String url = "jdbc:sqlite:" + tmp.resolve("pairgate.db");
    CliRunner cli = new CliRunner(tmp.resolve("unused"), Clock.systemUTC());
    CliRunner.Result sim = cli.runRaw("--jdbc", url, "simulate", "--seed", "2", "--devices", "2",
        "--steps", "15");
    assertEquals(0, sim.code(), sim.toString());
    assertTrue(sim.err().contains("durable store " + url), sim.err());

    JsonNode list = cli.runRaw("--jdbc", url, "devices", "list", "--json", "--paired").json();
    assertEquals(2, list.get("paired").size(), list.toString());

    CliRunner.Result check = cli.runRaw("--jdbc", url, "store", "check");
    assertEquals(0, check.code(), check.toString());
    assertTrue(check.out().contains("2 device record(s)"), check.out());

    CliRunner.Result doctor = cli.runRaw("doctor", "--jdbc", url);
    assertTrue(doctor.out().contains("[ok]   store: 2 device record(s)"), doctor.toString());
    assertTrue(doctor.out().contains("[ok]   tokens:"), doctor.toString());

    CliRunner.Result q = cli.runRaw("--jdbc", url, "store", "quarantine",
        list.get("paired").get(0).get("deviceId").asString());
    assertEquals(1, q.code(), q.toString());
    assertTrue(q.err().contains("quarantine applies to store-json directories"), q.err());
  }
}
