package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.ConnectResult.PairingRequired;
import io.pairgate.audit.AuditEvent;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/** R13 / issue #9 item 2: pairingRequired(false). */
class PairingSwitchOffTest {
  private final RecordingListener audit = new RecordingListener();
  private final Fixture f = new Fixture(b -> b.pairingRequired(false).auditListener(audit));
  private final DeviceKeyPair alice = Fixture.key("switch-off-alice");

  @Test
  void buildingTheServiceLogsAWarning() {
    int before = warnings();
    new Fixture(b -> b.pairingRequired(false));
    assertEquals(before + 1, warnings());
    new Fixture(b -> b.pairingRequired(true));
    assertEquals(before + 1, warnings(), "no warning while pairing is required");
  }

  private static int warnings() {
    return (int) CapturingLogs.lines().stream()
        .filter(l -> l.level() == Level.WARN && l.logger().equals(PairingService.class.getName())
            && l.message().startsWith("pairing is switched off (pairingRequired=false)")
            && l.message().contains("only on a private, trusted network"))
        .count();
  }

  @Test
  void aValidProofIsAllowedAndRecordedAsAPairedDevice() {
    ConnectResult.Allowed ok = f.allowed(f.connect(alice, "operator.admin"));
    assertEquals(ScopeSet.of("operator.admin"), ok.scopes());
    assertTrue(ok.tokenIssued());
    PairedDevice d = f.service.device(alice.deviceId()).orElseThrow();
    assertEquals("pairing-disabled", d.approvedVia());
    assertEquals(ScopeSet.of("operator.admin"), d.approvedScopes());
    assertEquals("203.0.113.7", d.remoteAddress());
    assertEquals(List.of(alice.deviceId()),
        f.service.list().paired().stream().map(PairedDeviceSummary::deviceId).toList());
    assertTrue(f.service.list().pending().isEmpty());
    AuditEvent.RequestApproved e = audit.of(AuditEvent.RequestApproved.class).get(0);
    assertEquals("pairing-disabled", e.via());
    // upgrades and new roles are granted the same way
    f.allowed(f.connect(alice, Role.NODE, "node.exec"));
    assertEquals(List.of(Role.NODE, Role.OPERATOR),
        f.service.device(alice.deviceId()).orElseThrow().roles());
  }

  @Test
  void proofsAndScopesAreStillChecked() {
    ConnectAttempt a = f.attempt(alice, Role.OPERATOR, List.of("operator.read"), Fixture.CLI);
    f.allowed(f.service.connect(a));
    assertEquals(ErrorCode.NONCE_MISMATCH, f.rejected(f.service.connect(a)).code());
    assertEquals(ErrorCode.INVALID_SCOPE, f.rejected(f.connect(alice, Role.NODE, "operator.read"))
        .code());
  }

  @Test
  void blocksStillApply() {
    f.allowed(f.connect(alice, "operator.read"));
    f.service.block(alice.deviceId());
    assertEquals(ErrorCode.BLOCKED, f.rejected(f.connect(alice, "operator.read")).code());
    DeviceKeyPair stranger = Fixture.key("switch-off-stranger");
    f.service.block(stranger.deviceId());
    assertEquals(ErrorCode.BLOCKED, f.rejected(f.connect(stranger, "operator.read")).code());
    f.service.unblock(alice.deviceId());
    f.allowed(f.connect(alice, "operator.read"));
  }

  @Test
  void revocationStillApplies() {
    ConnectResult.Allowed ok = f.allowed(f.connect(alice, "operator.read"));
    f.service.revoke(alice.deviceId(), Role.OPERATOR);
    ConnectResult.Rejected r = f.rejected(f.service.connect(f.attempt(alice, Role.OPERATOR,
        List.of("operator.read"), Fixture.CLI, AuthMethod.DEVICE_TOKEN, ok.secret().orElseThrow().value())));
    assertEquals(ErrorCode.TOKEN_REVOKED, r.code());
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.read"));
    assertEquals(UpgradeReason.ROLE_UPGRADE, p.reason(), "a revoked role is not re-granted");
    f.service.approve(p.requestId(), Approver.admin("op"));
    f.allowed(f.connect(alice, "operator.read"));
  }

  @Test
  void removedDevicesArePairedAgainOnTheirNextConnect() {
    f.allowed(f.connect(alice, "operator.read"));
    f.service.remove(alice.deviceId());
    f.allowed(f.connect(alice, "operator.read"));
  }

  @Test
  void explainSaysSoOnEveryDecision() {
    Explanation first = f.service.explain(
        f.attempt(alice, Role.OPERATOR, List.of("operator.read"), Fixture.CLI));
    assertEquals(ConnectResult.Kind.ALLOWED, first.outcome());
    assertEquals("R13", first.rule());
    assertEquals("pairing-disabled", first.approvedVia());
    f.allowed(f.connect(alice, "operator.read"));
    f.service.block(Fixture.key("blocked").deviceId());
    for (Explanation x : List.of(
        first,
        f.service.explain(f.attempt(alice, Role.OPERATOR, List.of("operator.read"), Fixture.CLI)),
        f.service.explain(f.attempt(Fixture.key("blocked"), Role.OPERATOR, List.of(),
            Fixture.CLI)))) {
      assertFalse(x.pairingRequired());
      assertEquals("R13", x.checks().get(0).rule());
      assertTrue(x.lines().get(1).startsWith("WARNING: pairing is switched off"), x.toString());
    }
  }
}
