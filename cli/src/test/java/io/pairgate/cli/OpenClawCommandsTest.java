package io.pairgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.VirtualClock;
import io.pairgate.client.DeviceIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class OpenClawCommandsTest {
  @TempDir Path tmp;

  @Test
  void exportThenImportOpenClawRoundTrips() throws Exception {
    VirtualClock clock = VirtualClock.at(System.currentTimeMillis());
    Path a = tmp.resolve("a");
    TestGateway gw = new TestGateway(a, clock);
    CliRunner cliA = new CliRunner(a, clock);
    DeviceIdentity laptop = TestGateway.device(1, clock);
    DeviceIdentity phone = TestGateway.device(2, clock);
    cliA.run("devices", "approve", gw.pairingRequired(laptop, "operator.read", "operator.write"));
    String pending = gw.pairingRequired(phone, "operator.read");

    Path oc = tmp.resolve("openclaw");
    CliRunner.Result ex = cliA.run("store", "export-openclaw", oc.toString());
    assertEquals(0, ex.code(), ex.toString());
    assertTrue(Files.isRegularFile(oc.resolve("devices/paired.json")));
    assertTrue(Files.isRegularFile(oc.resolve("devices/pending.json")));

    CliRunner cliB = new CliRunner(tmp.resolve("b"), clock);
    CliRunner.Result im = cliB.run("store", "import-openclaw", oc.toString());
    assertEquals(0, im.code(), im.toString());
    assertTrue(im.out().contains("Imported 1 paired device(s) and 1 pending request(s)"), im.out());
    JsonNode list = cliB.run("devices", "list", "--json").json();
    assertEquals(laptop.deviceId().value(), list.get("paired").get(0).get("deviceId").asString());
    assertEquals("operator", list.get("paired").get(0).get("approvedVia").asString(),
        "exported as OpenClaw's owner, imported back as operator");
    assertEquals(pending, list.get("pending").get(0).get("requestId").asString());
    // the imported pairing works: the laptop is allowed against store b
    new TestGateway(tmp.resolve("b"), clock).allowed(laptop, "operator.write");

    CliRunner.Result again = cliB.run("store", "import-openclaw", oc.resolve("devices").toString());
    assertEquals(1, again.code(), again.toString());
    assertTrue(again.out().contains("rejected: device " + laptop.deviceId().value()
        + ": already in the store"), again.out());
    assertTrue(again.err().contains("nothing was imported"), again.err());
  }

  @Test
  void importOfAFileThatIsNotJsonNamesIt() throws Exception {
    Path oc = tmp.resolve("oc/devices");
    Files.createDirectories(oc);
    Files.writeString(oc.resolve("paired.json"), "{ not json");
    CliRunner cli = new CliRunner(tmp.resolve("store"), Clock.systemUTC());
    CliRunner.Result r = cli.run("store", "import-openclaw", tmp.resolve("oc").toString());
    assertEquals(1, r.code(), r.toString());
    List<String> errors = r.err().lines().filter(l -> l.startsWith("pairgate: ")).toList();
    assertEquals(1, errors.size(), r.err());
    assertTrue(errors.get(0).startsWith("pairgate: cannot import " + oc.resolve("paired.json")), r.err());
    assertTrue(errors.get(0).endsWith("nothing was imported and no store was created"
        + " [store-corrupt]"), r.err());
    CliRunner.Result none = cli.run("store", "import-openclaw", tmp.toString());
    assertEquals(1, none.code());
    assertTrue(none.err().contains("no paired.json or pending.json"), none.err());
  }
}
