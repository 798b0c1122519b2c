package io.pairgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.client.DeviceIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
  @TempDir Path tmp;

  @Test
  void demoWalksTheSeedStoryAndLeavesAStoreToTryByHand() throws Exception {
    Path dir = tmp.resolve("demo");
    CliRunner cli = new CliRunner(dir.resolve("store"), Clock.systemUTC());
    CliRunner.Result r = cli.runRaw("demo", "--dir", dir.toString());
    assertEquals(0, r.code(), r.toString());
    String out = r.out();
    String[] inOrder = {
        "pairing required (not-paired), request",
        "$ pairgate devices list --pending",
        "$ pairgate devices approve",
        "Approved.",
        "allowed as operator with operator.read,operator.write",
        "$ pairgate devices rotate",
        "<43 characters, shown once>",
        "pairing required (scope-upgrade)",
        "4 reconnects, 1 request id",
        "$ pairgate devices explain",
        "allowed as operator with operator.pairing,operator.write",
        "refused: blocked",
        "Try the same by hand",
        "devices approve --latest"};
    int at = 0;
    for (String s : inOrder) {
      int i = out.indexOf(s, at);
      assertTrue(i >= 0, "missing, or out of order: \"" + s + "\" in\n" + out);
      at = i;
    }
    assertTrue(!out.contains("!!"), out);
    // the identities are real files, and the store is left with the phone's pending request
    DeviceIdentity laptop = DeviceIdentity.load(dir.resolve("identities/laptop.json"));
    assertTrue(out.contains(laptop.deviceId().value().substring(0, 12)));
    CliRunner.Result list = cli.run("devices", "list", "--pending", "--json");
    assertEquals(1, list.json().get("pending").size(), list.out());
    assertEquals(0, cli.run("devices", "approve", "--latest").code());
    assertTrue(Files.exists(dir.resolve("identities/tokens.json")));
  }

  @Test
  void demoRefusesANonEmptyDirectory() throws Exception {
    Files.writeString(tmp.resolve("x"), "x");
    CliRunner.Result r = new CliRunner(tmp, Clock.systemUTC()).runRaw("demo", "--dir", tmp.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("is not empty"), r.err());
  }
}
