package io.pairgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pairgate gateway} delegates to the gateway's entry point with the global store option. */
class GatewayCommandTest {
  @TempDir Path dir;

  @Test
  void helpComesFromTheGateway() {
    CliRunner cli = new CliRunner(dir.resolve("store"), Clock.systemUTC());
    CliRunner.Result r = cli.runRaw("gateway", "--help");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("Usage: pairgate gateway"), r.toString());
    assertTrue(r.out().contains("(the default)"), "the auto-approve default is stated");
  }

  @Test
  void refusesANonLoopbackBindWithoutATokenBeforeOpeningAnything() {
    Path store = dir.resolve("store");
    CliRunner cli = new CliRunner(store, Clock.systemUTC());
    CliRunner.Result r = cli.run("gateway", "--bind", "0.0.0.0", "--port", "0");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("refusing to listen on 0.0.0.0 without a shared token"),
        r.toString());
    assertTrue(!java.nio.file.Files.exists(store), "no store was created");
  }

  @Test
  void badOptionIsAUsageError() {
    CliRunner cli = new CliRunner(dir.resolve("store"), Clock.systemUTC());
    CliRunner.Result r = cli.run("gateway", "--nope");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("unknown option --nope"), r.toString());
  }
}
