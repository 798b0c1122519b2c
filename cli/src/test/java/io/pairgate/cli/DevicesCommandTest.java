package io.pairgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.AuthMethod;
import io.pairgate.ConnectResult;
import io.pairgate.ErrorCode;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.VirtualClock;
import io.pairgate.client.DeviceIdentity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class DevicesCommandTest {
  @TempDir Path tmp;
  VirtualClock clock;
  TestGateway gw;
  CliRunner cli;
  DeviceIdentity laptop;
  DeviceIdentity phone;

  @BeforeEach
  void setUp() {
    clock = VirtualClock.at(TestGateway.START);
    Path store = tmp.resolve("store");
    gw = new TestGateway(store, clock);
    cli = new CliRunner(store, clock);
    laptop = TestGateway.device(1, clock);
    phone = TestGateway.device(2, clock);
  }

  static Set<String> fields(JsonNode o) {
    return new TreeSet<>(o.propertyNames());
  }

  static List<String> strings(JsonNode a) {
    List<String> out = new ArrayList<>();
    a.forEach(n -> out.add(n.asString()));
    return out;
  }

  @Test
  void listApproveConnectLoopInProcess() {
    String id = gw.pairingRequired(laptop, "operator.read");
    CliRunner.Result list = cli.run("devices", "list");
    assertEquals(0, list.code(), list.toString());
    assertTrue(list.out().contains("Pending requests (1)"), list.out());
    assertTrue(list.out().contains(id), list.out());
    assertTrue(list.out().contains("not-paired"), list.out());
    assertTrue(list.out().contains("192.0.2.10"), list.out());
    assertTrue(list.out().contains("No paired devices."), list.out());

    CliRunner.Result approve = cli.run("devices", "approve", id);
    assertEquals(0, approve.code(), approve.toString());
    assertTrue(approve.out().startsWith("Approving request " + id), approve.out());
    assertTrue(approve.out().contains(laptop.deviceId().value()), approve.out());
    assertTrue(approve.out().contains("reason   not-paired"), approve.out());
    assertTrue(approve.out().contains("+ operator.read"), approve.out());
    assertTrue(approve.out().indexOf("Approving") < approve.out().indexOf("Approved."));

    gw.allowed(laptop, "operator.read");
    CliRunner.Result again = cli.run("devices", "approve", id);
    assertEquals(0, again.code(), again.toString());
    assertTrue(again.out().contains("already approved; nothing changed"), again.out());
  }

  @Test
  void listJsonMatchesTheDocumentedShape() {
    gw.pairingRequired(laptop, "operator.read");
    cli.run("devices", "approve", "--latest");
    gw.allowed(laptop, "operator.read");
    String upgrade = gw.pairingRequired(laptop, "operator.read", "operator.write");
    gw.pairingRequired(phone, "operator.read");
    cli.run("devices", "block", phone.deviceId().value());

    CliRunner.Result r = cli.run("devices", "list", "--json");
    assertEquals(0, r.code(), r.toString());
    JsonNode root = r.json();
    assertEquals(Set.of("version", "pending", "paired", "blocked", "unreadable"), fields(root));
    assertEquals(0, root.get("unreadable").size());
    assertEquals(1, root.get("version").asInt());
    JsonNode p = root.get("pending").get(0);
    assertEquals(Set.of("requestId", "deviceId", "reason", "role", "roles", "scopes",
        "approvedRoles", "approvedScopes", "missingScopes", "client", "remoteAddress",
        "browserOrigin", "createdAt", "refreshedAt", "expiresAt", "repair"), fields(p));
    assertEquals(upgrade, p.get("requestId").asString());
    assertEquals("scope-upgrade", p.get("reason").asString());
    assertEquals(List.of("operator.read", "operator.write"), strings(p.get("scopes")));
    assertEquals(List.of("operator.read"), strings(p.get("approvedScopes")));
    assertEquals(List.of("operator.write"), strings(p.get("missingScopes")));
    assertTrue(p.get("repair").asBoolean());
    assertEquals(Set.of("clientId", "clientMode", "platform", "deviceFamily", "displayName",
        "version"), fields(p.get("client")));
    assertEquals(1, root.get("pending").size(), "the blocked device's request was dropped");

    JsonNode d = root.get("paired").get(0);
    assertEquals(Set.of("deviceId", "publicKey", "label", "roles", "approvedScopes", "tokens",
        "client", "createdAt", "approvedAt", "lastSeenAt", "lastSeenReason", "approvedVia",
        "remoteAddress", "browserOrigin", "blocked"), fields(d));
    assertEquals(laptop.deviceId().value(), d.get("deviceId").asString());
    assertEquals("operator", d.get("approvedVia").asString());
    JsonNode t = d.get("tokens").get(0);
    assertEquals(Set.of("role", "scopes", "createdAt", "rotatedAt", "revokedAt", "lastUsedAt"), fields(t));
    assertFalse(r.out().contains("secret"), "no token secret in listings");
    assertEquals(List.of(phone.deviceId().value()), strings(root.get("blocked")));

    JsonNode pendingOnly = cli.run("devices", "list", "--json", "--pending").json();
    assertEquals(Set.of("version", "pending", "unreadable"), fields(pendingOnly));
    JsonNode pairedOnly = cli.run("devices", "list", "--json", "--paired").json();
    assertEquals(Set.of("version", "paired", "blocked", "unreadable"), fields(pairedOnly));
  }

  @Test
  void latestRefusesWithSeveralPendingUnlessYes() {
    gw.pairingRequired(laptop, "operator.read");
    clock.advance(java.time.Duration.ofSeconds(5));
    String newest = gw.pairingRequired(phone, "operator.read");
    CliRunner.Result r = cli.run("devices", "approve", "--latest");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.err().contains("2 requests are pending"), r.err());
    assertTrue(r.err().contains(newest), r.err());
    assertEquals("", r.out(), "nothing approved, nothing printed");
    r = cli.run("devices", "approve", "--latest", "--yes");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("Approving request " + newest), r.out());
    gw.allowed(phone, "operator.read");
  }

  @Test
  void asScopesApprovesASubsetAndTheDeviceAsksAgainForTheRest() {
    String id = gw.pairingRequired(laptop, "operator.read", "operator.write", "operator.pairing");
    CliRunner.Result r = cli.run("devices", "approve", id, "--as-scopes", "operator.read,operator.pairing",
        "--json");
    assertEquals(0, r.code(), r.toString());
    JsonNode j = r.json();
    assertEquals(List.of("operator.pairing", "operator.read"), strings(j.get("approvedScopes")));
    assertEquals(Set.of("requestId", "deviceId", "alreadyApproved", "addedRoles", "addedScopes",
        "declinedScopes", "roles", "approvedScopes"), fields(j));
    assertEquals(List.of("operator.write"), strings(j.get("declinedScopes")));
    gw.allowed(laptop, "operator.read");
    gw.allowed(laptop, "operator.pairing");
    ConnectResult again = gw.connect(laptop, "operator.read", "operator.write");
    ConnectResult.PairingRequired p = assertInstanceOf(ConnectResult.PairingRequired.class, again);
    assertEquals("scope-upgrade", p.reason().wireName());
    assertEquals(List.of("operator.write"), p.missingScopes().stream().map(Object::toString).toList());

    CliRunner.Result bad = cli.run("devices", "approve", p.requestId().value(), "--as-scopes", "operator.admin");
    assertEquals(1, bad.code(), bad.toString());
    assertTrue(bad.err().contains("--as-scopes may only narrow the request"), bad.err());
    assertTrue(bad.err().contains("operator.admin"), bad.err());
  }

  @Test
  void asScopesTextOutputNamesWhatIsDeclined() {
    String id = gw.pairingRequired(laptop, "operator.read", "operator.write");
    CliRunner.Result r = cli.run("devices", "approve", id, "--as-scopes", "operator.read");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("Declining operator.write"), r.out());
    assertTrue(r.out().contains("+ operator.read"), r.out());
    assertFalse(r.out().contains("+ operator.read,operator.write"), r.out());
  }

  @Test
  void rotateNarrowerPrintsTheTokenOnceAndItWorks() {
    String id = gw.pairingRequired(laptop, "operator.read", "operator.write");
    cli.run("devices", "approve", id);
    CliRunner.Result r = cli.run("devices", "rotate", "--device", laptop.deviceId().value().substring(0, 10),
        "--role", "operator", "--scope", "operator.read", "--json");
    assertEquals(0, r.code(), r.toString());
    JsonNode j = r.json();
    assertEquals(Set.of("deviceId", "role", "token", "scopes", "rotatedAt"), fields(j));
    String token = j.get("token").asString();
    assertEquals(43, token.length());
    assertEquals(List.of("operator.read"), strings(j.get("scopes")));
    ConnectResult ok = gw.connect(laptop, Role.OPERATOR, AuthMethod.DEVICE_TOKEN, token, List.of("operator.read"));
    assertInstanceOf(ConnectResult.Allowed.class, ok);
    ConnectResult tooMuch = gw.connect(laptop, Role.OPERATOR, AuthMethod.DEVICE_TOKEN, token,
        List.of("operator.write"));
    assertEquals(ErrorCode.TOKEN_SCOPE_MISMATCH, assertInstanceOf(ConnectResult.Rejected.class, tooMuch).code());

    CliRunner.Result text = cli.run("devices", "rotate", "--device", laptop.deviceId().value(),
        "--role", "operator");
    assertEquals(0, text.code(), text.toString());
    assertTrue(text.out().contains("shown this once"), text.out());
    assertEquals(1, text.out().lines().filter(l -> l.strip().startsWith("token")).count());
  }

  @Test
  void revokeRenameRemoveBlockUnblockReject() {
    String id = gw.pairingRequired(laptop, "operator.read");
    cli.run("devices", "approve", id);
    CliRunner.Result rename = cli.run("devices", "rename", "--device", laptop.deviceId().value(),
        "--name", "Ada's laptop");
    assertEquals(0, rename.code(), rename.toString());
    assertTrue(cli.run("devices", "list", "--paired").out().contains("Ada's laptop"));

    CliRunner.Result revoke = cli.run("devices", "revoke", "--device", laptop.deviceId().value(),
        "--role", "operator");
    assertEquals(0, revoke.code(), revoke.toString());
    ConnectResult afterRevoke = gw.connect(laptop, "operator.read");
    assertEquals("role-upgrade",
        assertInstanceOf(ConnectResult.PairingRequired.class, afterRevoke).reason().wireName());

    String phoneReq = gw.pairingRequired(phone, "operator.read");
    CliRunner.Result reject = cli.run("devices", "reject", phoneReq);
    assertEquals(0, reject.code(), reject.toString());
    assertTrue(reject.out().contains("Rejected request " + phoneReq), reject.out());

    CliRunner.Result block = cli.run("devices", "block", phone.deviceId().value());
    assertEquals(0, block.code(), block.toString());
    assertEquals(ErrorCode.BLOCKED,
        assertInstanceOf(ConnectResult.Rejected.class, gw.connect(phone, "operator.read")).code());
    assertEquals(0, cli.run("devices", "unblock", phone.deviceId().value()).code());
    assertInstanceOf(ConnectResult.PairingRequired.class, gw.connect(phone, "operator.read"));

    CliRunner.Result remove = cli.run("devices", "remove", laptop.deviceId().value());
    assertEquals(0, remove.code(), remove.toString());
    assertEquals("not-paired", assertInstanceOf(ConnectResult.PairingRequired.class,
        gw.connect(laptop, "operator.read")).reason().wireName());
  }

  @Test
  void explainSaysWhyAndWhatApprovalWouldGrant() {
    String id = gw.pairingRequired(laptop, "operator.read");
    cli.run("devices", "approve", id);
    gw.allowed(laptop, "operator.read");
    String up = gw.pairingRequired(laptop, "operator.read", "operator.pairing");

    CliRunner.Result text = cli.run("devices", "explain", up);
    assertEquals(0, text.code(), text.toString());
    assertTrue(text.out().contains("reason    scope-upgrade"), text.out());
    assertTrue(text.out().contains("missing   operator.pairing"), text.out());
    assertTrue(text.out().contains("widen the operator token from operator.read to"
        + " operator.pairing,operator.read"), text.out());

    JsonNode j = cli.run("devices", "explain", up, "--json").json();
    assertEquals("request", j.get("kind").asString());
    assertEquals("pending", j.get("status").asString());
    assertEquals(Set.of("kind", "requestId", "status", "deviceId", "successorRequestId", "request",
        "approvedRoles", "approvedScopes", "missingRoles", "missingScopes", "approval"), fields(j));
    JsonNode g = j.get("approval");
    assertEquals(Set.of("roles", "approvedScopes", "addedRoles", "addedScopes", "tokens",
        "approverNeeds", "replacesPairedKey"), fields(g));
    assertEquals(List.of("operator.pairing"), strings(g.get("addedScopes")));
    assertEquals(List.of("operator.pairing", "operator.read"), strings(g.get("approvedScopes")));
    assertEquals(List.of("operator.pairing", "operator.read"), strings(g.get("tokens").get("operator")));
    assertEquals("scope-upgrade", j.get("request").get("reason").asString());

    // explain by device id shows the same pending request
    assertTrue(cli.run("devices", "explain", laptop.deviceId().value()).out().contains(up));

    // a superseded id is explained with its successor
    String wider = gw.pairingRequired(laptop, "operator.read", "operator.pairing", "operator.write");
    JsonNode s = cli.run("devices", "explain", up, "--json").json();
    assertEquals("superseded", s.get("status").asString());
    assertEquals(wider, s.get("successorRequestId").asString());
    assertTrue(cli.run("devices", "explain", up).out().contains("was superseded by " + wider));

    // approving the wider request converges every profile asked for
    assertEquals(0, cli.run("devices", "approve", wider).code());
    for (String[] profile : new String[][] {{"operator.read"}, {"operator.pairing"},
        {"operator.read", "operator.pairing", "operator.write"}}) {
      gw.allowed(laptop, profile);
    }
    JsonNode dev = cli.run("devices", "explain", laptop.deviceId().value(), "--json").json();
    assertEquals("device", dev.get("kind").asString());
    assertEquals(Set.of("kind", "deviceId", "known", "blocked", "paired", "effectiveRoles",
        "revokedRoles", "rolesWithoutToken", "tokensBeyondBaseline", "pending", "history"), fields(dev));
    assertTrue(dev.get("pending").isNull());
    assertEquals(List.of("operator.pairing", "operator.read", "operator.write"),
        strings(dev.get("paired").get("approvedScopes")));
  }

  @Test
  void scopeUpgradeKeepsOneRequestIdAcrossReconnects() {
    gw.pairingRequired(laptop, "operator.read");
    cli.run("devices", "approve", "--latest");
    Set<String> ids = new TreeSet<>();
    for (int i = 0; i < 5; i++) {
      ids.add(gw.pairingRequired(laptop, "operator.read", "operator.write"));
      clock.advance(java.time.Duration.ofSeconds(40));
    }
    assertEquals(1, ids.size(), ids.toString());
    assertEquals(0, cli.run("devices", "approve", ids.iterator().next()).code());
    gw.allowed(laptop, "operator.read", "operator.write");
    assertEquals(ScopeSet.of("operator.read", "operator.write"),
        gw.allowed(laptop, "operator.write").token().scopes());
  }
}
