package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.audit.AuditEvent;
import io.pairgate.spi.DeviceRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Outcomes of the decision, reconcile, approval, token and explanation code that the mutation run
 * (docs/security-fuzzing.md §4) showed no test pinned down. Each test asserts what a gateway or an
 * operator observes. None depends on locality or silent approval: every connect here comes from a
 * public address and is approved by an operator.
 */
class EngineBehaviourTest {
  private final RecordingListener audit = new RecordingListener();
  private final Fixture f = new Fixture(b -> b.auditListener(audit).maxPendingPerAddress(1000));
  private final DeviceKeyPair alice = Fixture.key("alice");

  private ConnectResult connect(DeviceKeyPair key, Role role, String... scopes) {
    return f.service.connect(f.attempt(key, role, List.of(scopes), Fixture.CLI));
  }

  private RequestId requestId(ConnectResult r) {
    return f.pairingRequired(r).requestId();
  }

  @Test
  void aRejectedConnectLogsTheClaimedIdWithoutControlCharactersAndShortened() {
    String hostile = "\u001b[2J\u009b31m" + "x".repeat(100) + "\u007f";
    ConnectAttempt a = ConnectAttempt.builder().role(Role.OPERATOR).auth(AuthMethod.SHARED_TOKEN, "")
        .device(hostile, alice.publicKey().base64Url())
        .proof("sig", f.clock.millis(), "n")
        .challenge(f.service.issueChallenge())
        .peerAddress("203.0.113.7")
        .build();
    f.rejected(f.service.connect(a));
    String logged = audit.events().get(0).deviceId();
    assertEquals("?[2J?31m" + "x".repeat(56) + "...", logged);
    assertFalse(logged.chars().anyMatch(Character::isISOControl));

    String sixtyFour = "Z".repeat(64); // not an id (upper case), but exactly 64: kept whole
    f.rejected(f.service.connect(ConnectAttempt.builder().role(Role.OPERATOR).auth(AuthMethod.SHARED_TOKEN, "")
        .device(sixtyFour, alice.publicKey().base64Url())
        .proof("sig", f.clock.millis(), "n")
        .challenge(f.service.issueChallenge())
        .peerAddress("203.0.113.7")
        .build()));
    assertEquals(sixtyFour, audit.events().get(1).deviceId());

    f.rejected(f.service.connect(ConnectAttempt.builder().role(Role.OPERATOR).auth(AuthMethod.SHARED_TOKEN, "")
        .device(Fixture.key("bob").deviceId().value(), alice.publicKey().base64Url())
        .proof("sig", f.clock.millis(), "n")
        .challenge(f.service.issueChallenge())
        .peerAddress("203.0.113.7")
        .build()));
    assertEquals(Fixture.key("bob").deviceId().value(), audit.events().get(2).deviceId());
  }

  @Test
  void retryAfterGrowsWithTheAgeOfThePendingRequestBetweenOneAndThirtySeconds() {
    assertEquals(Duration.ofSeconds(1), f.pairingRequired(connect(alice, Role.OPERATOR,
        "operator.read")).retryAfter());
    f.advance(Duration.ofSeconds(200));
    assertEquals(Duration.ofSeconds(20), f.pairingRequired(connect(alice, Role.OPERATOR,
        "operator.read")).retryAfter());
    f.advance(Duration.ofSeconds(90));
    assertEquals(Duration.ofSeconds(29), f.pairingRequired(connect(alice, Role.OPERATOR,
        "operator.read")).retryAfter());
  }

  @Test
  void lastSeenIsTouchedAtMostOncePerTouchInterval() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    Instant approvedAt = f.clock.instant();
    f.allowed(connect(alice, Role.OPERATOR, "operator.read"));
    Instant firstSeen = f.service.device(alice.deviceId()).orElseThrow().lastSeenAt();
    assertEquals(approvedAt, firstSeen);
    f.advance(Duration.ofSeconds(30));
    f.allowed(connect(alice, Role.OPERATOR, "operator.read"));
    assertEquals(firstSeen, f.service.device(alice.deviceId()).orElseThrow().lastSeenAt(),
        "within the touch interval nothing is written");
    f.advance(Duration.ofSeconds(31));
    f.allowed(connect(alice, Role.OPERATOR, "operator.read"));
    assertEquals(f.clock.instant(), f.service.device(alice.deviceId()).orElseThrow().lastSeenAt());
  }

  @Test
  void blockingDropsThePendingRequestAsRejectedAndKeepsTheHistory() {
    RequestId first = f.pair(alice, Role.OPERATOR, "operator.read").requestId();
    RequestId upgrade = requestId(connect(alice, Role.OPERATOR, "operator.read", "operator.write"));
    f.service.block(alice.deviceId());
    assertEquals(RequestExplanation.State.APPROVED, f.service.explainRequest(first).status());
    assertEquals(RequestExplanation.State.REJECTED, f.service.explainRequest(upgrade).status());
    long version = f.store.load(alice.deviceId()).orElseThrow().version();
    int events = audit.events().size();
    f.service.block(alice.deviceId());
    assertEquals(version, f.store.load(alice.deviceId()).orElseThrow().version(),
        "blocking a blocked device without a pending request writes nothing");
    assertEquals(events, audit.events().size());
  }

  @Test
  void removingKeepsTheHistoryOfEarlierRequests() {
    RequestId first = f.pair(alice, Role.OPERATOR, "operator.read").requestId();
    RequestId upgrade = requestId(connect(alice, Role.OPERATOR, "operator.admin"));
    f.service.remove(alice.deviceId());
    assertEquals(RequestExplanation.State.APPROVED, f.service.explainRequest(first).status());
    assertEquals(RequestExplanation.State.REJECTED, f.service.explainRequest(upgrade).status());
    assertTrue(f.service.device(alice.deviceId()).isEmpty());
  }

  @Test
  void rotationKeepsTheTokensCreationTimeAndRecordsTheRotation() {
    Approval a = f.pair(alice, Role.OPERATOR, "operator.read", "operator.write");
    DeviceToken original = a.device().token(Role.OPERATOR);
    f.advance(Duration.ofMinutes(3));
    IssuedToken issued = f.service.rotate(alice.deviceId(), Role.OPERATOR,
        ScopeSet.of("operator.read"));
    DeviceToken rotated = issued.token();
    assertEquals(original.createdAt(), rotated.createdAt());
    assertEquals(f.clock.instant(), rotated.rotatedAt());
    assertNull(rotated.revokedAt());
    assertEquals(ScopeSet.of("operator.read"), rotated.scopes());
    assertTrue(rotated.matches(issued.secret().value()), "the stored hash is the issued secret's");
    assertFalse(java.util.Objects.equals(rotated.hash(), original.hash()));
  }

  @Test
  void aSupersededRequestNamesItsSuccessorWhilePendingAndAfterApproval() {
    RequestId r1 = requestId(connect(alice, Role.OPERATOR, "operator.read"));
    RequestId r2 = requestId(connect(alice, Role.OPERATOR, "operator.read", "operator.write"));
    assertFalse(r1.equals(r2));
    RequestExplanation e1 = f.service.explainRequest(r1);
    assertEquals(RequestExplanation.State.SUPERSEDED, e1.status());
    assertEquals(r2, e1.successorRequestId());
    f.service.approve(r2, Approver.admin("ops"));
    assertEquals(r2, f.service.explainRequest(r1).successorRequestId());
    RequestExplanation e2 = f.service.explainRequest(r2);
    assertEquals(RequestExplanation.State.APPROVED, e2.status());
    assertNull(e2.successorRequestId());
    assertEquals(List.of(Role.OPERATOR), e2.approvedRoles());
  }

  @Test
  void aPendingRoleUpgradeExplainsWhatIsMissingAndThatAnAdminMustApprove() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    RequestId r = requestId(connect(alice, Role.NODE, "node.exec"));
    RequestExplanation e = f.service.explainRequest(r);
    assertEquals(RequestExplanation.State.PENDING, e.status());
    assertEquals(List.of(Role.OPERATOR), e.approvedRoles());
    assertEquals(List.of(Role.NODE), e.missingRoles());
    assertEquals(List.of(Scope.of("node.exec")), e.missingScopes());
    assertTrue(e.approverNeeds().contains(Scope.OPERATOR_ADMIN), e.approverNeeds().toString());
    assertFalse(e.replacesPairedKey());
    f.advance(Duration.ofMinutes(6));
    assertEquals(RequestExplanation.State.EXPIRED, f.service.explainRequest(r).status());
  }

  @Test
  void aScopeUpgradeOfAnOperatorNeedsOnlyTheScopesItAsksFor() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    RequestId r = requestId(connect(alice, Role.OPERATOR, "operator.write"));
    RequestExplanation e = f.service.explainRequest(r);
    assertEquals(List.of(), e.missingRoles());
    assertEquals(List.of(Scope.OPERATOR_WRITE), e.missingScopes());
    assertFalse(e.approverNeeds().contains(Scope.OPERATOR_ADMIN), e.approverNeeds().toString());
  }

  @Test
  void explainDeviceNamesATokenBeyondTheBaseline() {
    f.pair(alice, Role.OPERATOR, "operator.admin");
    // the approval stores no secret: the next connect mints it and delivers it
    ConnectResult.Allowed minted = (ConnectResult.Allowed) connect(alice, Role.OPERATOR,
        "operator.admin");
    String secret = minted.secret().orElseThrow().value();
    PairedDevice p = f.service.device(alice.deviceId()).orElseThrow();
    DeviceToken t = p.token(Role.OPERATOR);
    // an older version, or a hand edit, left the baseline narrower than the token
    PairedDevice narrowed = new PairedDevice(p.deviceId(), p.publicKey(), p.roles(),
        ScopeSet.of("operator.read"), p.client(), p.label(), Map.of(Role.OPERATOR, t),
        p.createdAt(), p.approvedAt(), p.lastSeenAt(), p.approvedVia(), p.remoteAddress());
    DeviceRecord rec = f.store.load(alice.deviceId()).orElseThrow();
    assertTrue(f.store.compareAndSet(rec.version(), new DeviceRecord(rec.deviceId(),
        rec.version() + 1, narrowed, null, false, rec.resolved())));
    DeviceExplanation d = f.service.explainDevice(alice.deviceId());
    assertEquals(List.of(Role.OPERATOR), d.tokensBeyondBaseline());
    assertEquals(List.of(), d.revokedRoles());
    assertEquals(TokenCheck.EXCEEDS_BASELINE, f.service.verifyToken(alice.deviceId(),
        Role.OPERATOR, secret, ScopeSet.of("operator.read")));

    DeviceExplanation fine = f.service.explainDevice(Fixture.key("nobody").deviceId());
    assertFalse(fine.known());
  }

  @Test
  void theListingPagesThroughMoreThanFiveHundredDevices() {
    for (int i = 0; i < 501; i++) {
      f.pairingRequired(connect(Fixture.key("device-" + i), Role.OPERATOR));
    }
    assertEquals(501, f.service.list().pending().size());
  }

  @Test
  void anEventIsRecordedForEveryOperatorAction() {
    RequestId r = f.pair(alice, Role.OPERATOR, "operator.read").requestId();
    assertEquals(List.of("pairing-requested", "request-approved"),
        audit.events().stream().map(AuditEvent::type).toList());
    assertEquals(r, f.service.explainRequest(r).requestId());
  }
}
