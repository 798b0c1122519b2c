package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.ConnectResult.PairingRequired;
import io.pairgate.ConnectResult.RequestChange;
import io.pairgate.spi.DeviceRecord;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The acceptance scenarios of the core issue, each its own test. */
class ScenarioTest {
  private final Fixture f = new Fixture();
  private final DeviceKeyPair alice = Fixture.key("alice");

  @Test
  void firstPairingThenApproveThenReconnectIsAllowedWithNoNewPending() {
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.read"));
    assertEquals(UpgradeReason.NOT_PAIRED, p.reason());
    assertEquals(1, f.service.list().pending().size());
    Approval a = f.service.approve(p.requestId(), Approver.admin("op"));
    assertTrue(a.device().token(Role.OPERATOR).awaitingIssue(), "the approval stores no secret");
    ConnectResult.Allowed first = f.allowed(f.connect(alice, "operator.read"));
    assertTrue(first.tokenIssued(), "the first connect after the approval mints the secret");
    String secret = first.secret().orElseThrow().value();
    ConnectResult.Allowed ok = f.allowed(f.connect(alice, "operator.read"));
    assertEquals(first.token(), ok.token(), "token reused");
    assertTrue(ok.secret().isEmpty(), "a reused token's secret is not stored, so not delivered");
    assertFalse(ok.tokenIssued());
    assertTrue(f.store.load(alice.deviceId()).orElseThrow().paired().token(Role.OPERATOR)
        .matches(secret));
    assertTrue(f.service.list().pending().isEmpty());
    assertEquals(1, f.service.list().paired().size());
  }

  /** OpenClaw #21688: the scope-upgrade loop. */
  @Test
  void issue21688SequenceNeverRequiresPairing() {
    List<String> five = List.of("operator.admin", "operator.approvals", "operator.pairing",
        "operator.read", "operator.write");
    f.service.approve(
        f.pairingRequired(f.service.connect(f.attempt(alice, Role.OPERATOR, five, Fixture.CLI))).requestId(),
        Approver.admin("op"));
    f.service.rotate(alice.deviceId(), Role.OPERATOR,
        ScopeSet.of("operator.admin", "operator.approvals", "operator.pairing"));
    for (int round = 0; round < 3; round++) {
      for (List<String> ask : List.of(List.of("operator.read"), List.of("operator.write"), five)) {
        ConnectResult r = f.service.connect(f.attempt(alice, Role.OPERATOR, ask, Fixture.CLI));
        assertInstanceOf(ConnectResult.Allowed.class, r, "asking " + ask + " after a narrowing rotation");
        f.advance(Duration.ofSeconds(1));
      }
    }
    assertTrue(f.service.list().pending().isEmpty());
    assertEquals(ScopeSet.parse(five), f.service.device(alice.deviceId()).orElseThrow().approvedScopes());
  }

  @Test
  void coveredReRequestKeepsItsRequestId() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    PairingRequired first = f.pairingRequired(f.connect(alice, "operator.read", "operator.admin"));
    long version = f.store.load(alice.deviceId()).orElseThrow().version();
    for (int i = 0; i < 20; i++) {
      f.advance(Duration.ofSeconds(1));
      // subsets and the same profile, in any order, are covered (admin implies write)
      PairingRequired again = f.pairingRequired(
          f.connect(alice, i % 2 == 0 ? "operator.admin" : "operator.write"));
      assertEquals(first.requestId(), again.requestId());
      assertEquals(RequestChange.UNCHANGED, again.requestChange());
    }
    assertEquals(version, f.store.load(alice.deviceId()).orElseThrow().version(),
        "covered reconnects within the refresh interval write nothing");
    f.advance(Duration.ofSeconds(30));
    PairingRequired refreshed = f.pairingRequired(f.connect(alice, "operator.admin"));
    assertEquals(first.requestId(), refreshed.requestId());
    assertEquals(RequestChange.REFRESHED, refreshed.requestChange());
    // the refresh extended the expiry: 4 minutes later it is still approvable
    f.advance(Duration.ofMinutes(4));
    f.service.approve(first.requestId(), Approver.admin("op"));
  }

  @Test
  void widerRequestSupersedesWithTheUnion() {
    PairingRequired first = f.pairingRequired(f.connect(alice, "operator.read"));
    PairingRequired wider = f.pairingRequired(f.connect(alice, Role.NODE, "node.exec"));
    assertNotEquals(first.requestId(), wider.requestId());
    assertEquals(RequestChange.SUPERSEDED, wider.requestChange());
    PendingRequest p = f.service.pendingRequest(wider.requestId()).orElseThrow();
    assertEquals(List.of(Role.NODE, Role.OPERATOR), p.roles());
    assertEquals(ScopeSet.of("node.exec", "operator.read"), p.scopes());
    assertEquals(1, f.service.list().pending().size(), "one pending request per device");
    Approval a = f.service.approve(wider.requestId(), Approver.admin("op"));
    assertEquals(List.of(Role.NODE, Role.OPERATOR), a.device().roles());
    f.allowed(f.connect(alice, "operator.read"));
    f.allowed(f.connect(alice, Role.NODE, "node.exec"));
  }

  @Test
  void approvingASupersededIdFailsTypedNamingTheLiveId() {
    PairingRequired first = f.pairingRequired(f.connect(alice, "operator.read"));
    PairingRequired second = f.pairingRequired(f.connect(alice, "operator.write"));
    PairingRequired third = f.pairingRequired(f.connect(alice, "operator.approvals"));
    DeviceRecord before = f.store.load(alice.deviceId()).orElseThrow();
    SupersededException e = assertThrows(SupersededException.class,
        () -> f.service.approve(first.requestId(), Approver.admin("op")));
    assertEquals(ErrorCode.SUPERSEDED, e.code());
    assertEquals(third.requestId(), e.successorRequestId(), "names the live request, not an intermediate");
    assertEquals(third.requestId(), assertThrows(SupersededException.class,
        () -> f.service.approve(second.requestId(), Approver.admin("op"))).successorRequestId());
    assertEquals(before, f.store.load(alice.deviceId()).orElseThrow(), "nothing changed");
    assertThrows(SupersededException.class, () -> f.service.reject(first.requestId()));
  }

  @Test
  void approvingAnExpiredRequestFailsTyped() {
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.read"));
    f.advance(Duration.ofMinutes(5).plusMillis(1));
    PairgateException e = assertThrows(PairgateException.class,
        () -> f.service.approve(p.requestId(), Approver.admin("op")));
    assertEquals(ErrorCode.EXPIRED, e.code());
    assertTrue(f.service.device(alice.deviceId()).isEmpty());
  }

  @Test
  void forbiddenApproverChangesNothing() {
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.admin"));
    DeviceRecord before = f.store.load(alice.deviceId()).orElseThrow();
    assertThrows(ForbiddenException.class,
        () -> f.service.approve(p.requestId(), Approver.withScopes("op", "operator.pairing", "operator.write")));
    assertEquals(before, f.store.load(alice.deviceId()).orElseThrow());
    assertTrue(f.service.pendingRequest(p.requestId()).isPresent());
  }

  @Test
  void rotateOutsideTheBaselineChangesNothing() {
    String secret = f.pairAndCollect(alice, Role.OPERATOR, "operator.read");
    DeviceRecord before = f.store.load(alice.deviceId()).orElseThrow();
    assertEquals(ErrorCode.SCOPE_OUTSIDE_BASELINE, assertThrows(PairgateException.class,
        () -> f.service.rotate(alice.deviceId(), Role.OPERATOR, ScopeSet.of("operator.write"))).code());
    assertEquals(before, f.store.load(alice.deviceId()).orElseThrow());
    f.allowed(f.service.connect(f.attempt(alice, Role.OPERATOR, List.of("operator.read"), Fixture.CLI,
        AuthMethod.DEVICE_TOKEN, secret)));
  }

  @Test
  void approverConnectingWithItsOwnSubsetNeverNeedsTheApprovalItIsAbout() {
    // P5: the approver device holds operator.pairing; its CLI asks for the least privilege it needs
    DeviceKeyPair approverDevice = Fixture.key("approver");
    f.pair(approverDevice, Role.OPERATOR, "operator.pairing", "operator.read");
    f.pairingRequired(f.connect(approverDevice, "operator.admin")); // its own upgrade is pending
    f.allowed(f.connect(approverDevice, "operator.pairing"));        // yet it can still connect to approve
  }
}
