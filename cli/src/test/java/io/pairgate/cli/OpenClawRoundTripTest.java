package io.pairgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.DeviceKeyPair;
import io.pairgate.testkit.SampleRecords;
import io.pairgate.testkit.openclaw.OpenClawCli;
import io.pairgate.testkit.openclaw.OpenClawInstall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Into Pairgate and back, through the real OpenClaw gateway (npm {@code openclaw@2026.9.6} on Node
 * 24 and {@code openclaw@2026.6.10} on Node 22, installed once into the user cache): state made by
 * the real gateway and real CLIs is imported, shown, exported to a fresh state directory, and the
 * real gateway started on it lets the paired CLI in without a new pairing and lists the pending
 * request. {@code PAIRGATE_SKIP_REAL_CLIENT=1} skips (and says so); an unreachable registry fails
 * with one line.
 */
class OpenClawRoundTripTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String ORIGIN = "http://127.0.0.1";
  private static final List<String> READ_WRITE = List.of("operator.read", "operator.write");

  @TempDir Path tmp;

  private static JsonNode json(OpenClawCli.Result r) {
    String out = r.stdout();
    int start = out.indexOf('{');
    assertTrue(start >= 0, r.describe());
    return JSON.readTree(out.substring(start));
  }

  private static OpenClawCli.Result run(OpenClawCli cli, String url, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    // the CLI's default --timeout (10 s for the whole command) is too short on a loaded 2-core
    // machine, where the real gateway's first answer was seen to take longer (as in the gateway
    // module's RealOpenClawCliTest)
    all.addAll(List.of("--url", url, "--token", RealOpenClaw.SHARED_TOKEN, "--timeout", "60000"));
    return cli.run(all.toArray(new String[0]));
  }

  private static String deviceIdOf(OpenClawCli cli) throws Exception {
    return JSON.readTree(Files.readString(cli.deviceFile())).path("deviceId").asString();
  }

  /** The operator device token the CLI stored from its last hello-ok. */
  private static String storedToken(OpenClawCli cli) throws Exception {
    return JSON.readTree(Files.readString(cli.deviceAuthFile())).path("tokens").path("operator")
        .path("token").asString("");
  }

  private static JsonNode byKey(JsonNode array, String key, String value) {
    for (JsonNode n : array) {
      if (n.path(key).asString("").equals(value)) {
        return n;
      }
    }
    return null;
  }

  /** One cell of the real gateway's database ("" for NULL), read after the gateway stopped. */
  private static String column(Path db, String table, String keyColumn, String key,
      String column) throws Exception {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        java.sql.PreparedStatement ps = c.prepareStatement(
            "SELECT " + column + " FROM " + table + " WHERE " + keyColumn + " = ?")) {
      ps.setString(1, key);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next(), table + " has no row " + key);
        String v = rs.getString(1);
        return v == null ? "" : v;
      }
    }
  }

  @Test
  void openClaw2026_9_sqliteState_intoPairgate_andBack() throws Exception {
    OpenClawInstall oc9 = RealOpenClaw.install(OpenClawInstall.OPENCLAW_2026_9);
    OpenClawInstall oc6 = RealOpenClaw.install(OpenClawInstall.OPENCLAW_2026_6);
    OpenClawCli laptop = new OpenClawCli(oc6, tmp.resolve("cli-laptop")); // sends a device block
    OpenClawCli operator = new OpenClawCli(oc9, tmp.resolve("cli-operator")); // device-less
    DeviceKeyPair browser = SampleRecords.keyPair("round-trip-9-browser");
    DeviceKeyPair waiting = SampleRecords.keyPair("round-trip-9-waiting");
    Path state = tmp.resolve("gw-state");
    String approvedId;
    String waitingId;
    String oldBrowserToken;
    String oldLaptopToken;
    try (RealOpenClaw.Gateway gw = RealOpenClaw.Gateway.start(oc9, tmp.resolve("gw"), state)) {
      OpenClawCli.Result r = run(laptop, gw.url(), "devices", "list", "--json");
      assertEquals(0, r.exitCode(), "the 2026.6.10 CLI is paired silently on loopback\n"
          + r.describe());
      oldLaptopToken = storedToken(laptop);
      assertFalse(oldLaptopToken.isEmpty());
      RealOpenClaw.Hello b = RealOpenClaw.connect(gw.url(), ORIGIN, browser, READ_WRITE,
          RealOpenClaw.SHARED_TOKEN);
      assertFalse(b.ok(), "Origin " + ORIGIN + " is not silent: " + b);
      approvedId = b.requestId();
      assertFalse(approvedId.isEmpty(), b.toString());
      r = run(operator, gw.url(), "devices", "approve", approvedId, "--json");
      assertEquals(0, r.exitCode(), r.describe());
      RealOpenClaw.Hello again = RealOpenClaw.connect(gw.url(), ORIGIN, browser, READ_WRITE,
          RealOpenClaw.SHARED_TOKEN);
      assertTrue(again.ok(), again.toString());
      oldBrowserToken = again.deviceToken();
      assertFalse(oldBrowserToken.isEmpty(), again.toString());
      RealOpenClaw.Hello w = RealOpenClaw.connect(gw.url(), ORIGIN, waiting,
          List.of("operator.read"), RealOpenClaw.SHARED_TOKEN);
      assertFalse(w.ok(), w.toString());
      waitingId = w.requestId();
    }
    Path database = state.resolve("state/openclaw.sqlite");
    assertTrue(Files.isRegularFile(database));

    // Into Pairgate
    CliRunner pg = new CliRunner(tmp.resolve("pairgate"), Clock.systemUTC());
    CliRunner.Result im = pg.run("store", "import-openclaw", state.toString());
    assertEquals(0, im.code(), im.toString());
    assertTrue(im.out().contains("Imported 2 paired device(s) and 1 pending request(s)"),
        im.toString());
    assertTrue(im.out().contains("device_pairing_paired.node_surface_json"), im.out());
    JsonNode list = pg.run("devices", "list", "--json").json();
    JsonNode lp = byKey(list.get("paired"), "deviceId", deviceIdOf(laptop));
    assertEquals("silent", lp.get("approvedVia").asString(), lp.toString());
    assertEquals("[\"operator.pairing\"]", lp.get("approvedScopes").toString());
    JsonNode bp = byKey(list.get("paired"), "deviceId", browser.deviceId().value());
    assertEquals("operator", bp.get("approvedVia").asString(), "owner approval: " + bp);
    assertEquals("[\"operator.read\",\"operator.write\"]", bp.get("approvedScopes").toString());
    assertEquals(column(database, "device_pairing_paired", "device_id",
        browser.deviceId().value(), "browser_origin"), bp.get("browserOrigin").asString(),
        bp.toString());
    assertEquals(column(database, "device_pairing_paired", "device_id",
        browser.deviceId().value(), "remote_ip"), bp.get("remoteAddress").asString());
    JsonNode wp = byKey(list.get("pending"), "requestId", waitingId);
    assertEquals(waiting.deviceId().value(), wp.get("deviceId").asString(), list.toString());
    assertEquals(column(database, "device_pairing_pending", "request_id", waitingId,
        "browser_origin"), wp.get("browserOrigin").asString(), wp.toString());

    // Back to OpenClaw
    Path fresh = tmp.resolve("gw2-state");
    CliRunner.Result ex = pg.run("store", "export-openclaw", "--format", "sqlite",
        fresh.toString());
    assertEquals(0, ex.code(), ex.toString());
    assertNotEquals(0, pg.run("store", "export-openclaw", "--format", "sqlite",
        fresh.toString()).code(), "no overwrite without --force");
    try (RealOpenClaw.Gateway gw = RealOpenClaw.Gateway.start(oc9, tmp.resolve("gw2"), fresh)) {
      OpenClawCli.Result r = run(laptop, gw.url(), "devices", "list", "--json");
      assertEquals(0, r.exitCode(), "the paired CLI is let in without pairing again\n"
          + r.describe());
      JsonNode after = json(r);
      String newLaptopToken = storedToken(laptop);
      assertFalse(newLaptopToken.isEmpty());
      assertNotEquals(oldLaptopToken, newLaptopToken, "the shared-token connect re-minted");
      assertTrue(byKey(after.get("pending"), "requestId", waitingId) != null,
          "the pending request is there: " + after);
      assertTrue(byKey(after.get("pending"), "deviceId", deviceIdOf(laptop)) == null,
          "no new request for the paired CLI: " + after);
      JsonNode b2 = byKey(after.get("paired"), "deviceId", browser.deviceId().value());
      assertEquals("[\"operator.read\",\"operator.write\"]", b2.get("scopes").toString(),
          b2.toString());
      // a device-token-only connect must fall back; the shared token re-mints
      RealOpenClaw.Hello stale = RealOpenClaw.connect(gw.url(), ORIGIN, browser, READ_WRITE,
          oldBrowserToken);
      assertFalse(stale.ok(), "the old device token is refused: " + stale);
      // a browser-origin client is not approved silently, so OpenClaw asks once to re-approve
      // the role it has no token for; the approval and scopes survived, it is no new pairing
      RealOpenClaw.Hello ask = RealOpenClaw.connect(gw.url(), ORIGIN, browser, READ_WRITE,
          RealOpenClaw.SHARED_TOKEN);
      assertFalse(ask.ok(), ask.toString());
      assertEquals("role-upgrade", ask.payload().path("details").path("reason").asString(),
          ask.toString());
      assertEquals("[\"operator.read\",\"operator.write\"]",
          ask.payload().path("details").path("approvedScopes").toString(), ask.toString());
      OpenClawCli.Result ap = run(operator, gw.url(), "devices", "approve", ask.requestId(),
          "--json");
      assertEquals(0, ap.exitCode(), ap.describe());
      RealOpenClaw.Hello remint = RealOpenClaw.connect(gw.url(), ORIGIN, browser, READ_WRITE,
          RealOpenClaw.SHARED_TOKEN);
      assertTrue(remint.ok(), remint.toString());
      assertFalse(remint.deviceToken().isEmpty(), remint.toString());
      assertNotEquals(oldBrowserToken, remint.deviceToken());
      OpenClawCli.Result ol = run(operator, gw.url(), "devices", "list", "--json");
      assertEquals(0, ol.exitCode(), ol.describe());
      assertTrue(byKey(json(ol).get("pending"), "requestId", waitingId) != null, ol.describe());
    }
  }

  @Test
  void openClaw2026_6_jsonState_intoPairgate_andBack() throws Exception {
    OpenClawInstall oc6 = RealOpenClaw.install(OpenClawInstall.OPENCLAW_2026_6);
    OpenClawCli laptop = new OpenClawCli(oc6, tmp.resolve("cli-laptop"));
    DeviceKeyPair java = SampleRecords.keyPair("round-trip-6-java");
    DeviceKeyPair waiting = SampleRecords.keyPair("round-trip-6-waiting");
    Path state = tmp.resolve("gw-state");
    String waitingId;
    try (RealOpenClaw.Gateway gw = RealOpenClaw.Gateway.start(oc6, tmp.resolve("gw"), state)) {
      OpenClawCli.Result r = run(laptop, gw.url(), "devices", "list", "--json");
      assertEquals(0, r.exitCode(), r.describe());
      // 2026.6.10's silently paired CLI holds only operator.pairing, so it approves a request
      // for operator.pairing (one for read/write would need a scope upgrade of the CLI itself)
      RealOpenClaw.Hello j = RealOpenClaw.connect(gw.url(), "", java,
          List.of("operator.pairing"), RealOpenClaw.SHARED_TOKEN);
      if (!j.ok()) {
        r = run(laptop, gw.url(), "devices", "approve", j.requestId(), "--json");
        assertEquals(0, r.exitCode(), r.describe());
      }
      RealOpenClaw.Hello w = RealOpenClaw.connect(gw.url(), ORIGIN, waiting,
          List.of("operator.read"), RealOpenClaw.SHARED_TOKEN);
      assertFalse(w.ok(), w.toString());
      waitingId = w.requestId();
    }
    assertTrue(Files.isRegularFile(state.resolve("devices/paired.json")));

    CliRunner pg = new CliRunner(tmp.resolve("pairgate"), Clock.systemUTC());
    CliRunner.Result im = pg.run("store", "import-openclaw", state.toString());
    assertEquals(0, im.code(), im.toString());
    assertTrue(im.out().contains("Imported 2 paired device(s) and 1 pending request(s)"),
        im.toString());
    JsonNode list = pg.run("devices", "list", "--json").json();
    JsonNode lp = byKey(list.get("paired"), "deviceId", deviceIdOf(laptop));
    assertEquals("import", lp.get("approvedVia").asString(), "2026.6 records no approvedVia");
    assertEquals("[\"operator.pairing\"]", lp.get("approvedScopes").toString());
    assertTrue(byKey(list.get("paired"), "deviceId", java.deviceId().value()) != null,
        list.toString());
    assertTrue(byKey(list.get("pending"), "requestId", waitingId) != null, list.toString());

    Path fresh = tmp.resolve("gw2-state");
    CliRunner.Result ex = pg.run("store", "export-openclaw", "--format", "json",
        fresh.toString());
    assertEquals(0, ex.code(), ex.toString());
    try (RealOpenClaw.Gateway gw = RealOpenClaw.Gateway.start(oc6, tmp.resolve("gw2"), fresh)) {
      OpenClawCli.Result r = run(laptop, gw.url(), "devices", "list", "--json");
      assertEquals(0, r.exitCode(), "the paired CLI is let in without pairing again\n"
          + r.describe());
      JsonNode after = json(r);
      assertTrue(byKey(after.get("pending"), "requestId", waitingId) != null, after.toString());
      assertTrue(byKey(after.get("pending"), "deviceId", deviceIdOf(laptop)) == null,
          "no new request for the paired CLI: " + after);
    }
  }
}
