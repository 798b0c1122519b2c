package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.ConnectResult.PairingRequired;
import io.pairgate.spi.DeviceRecord;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operator's actions and every typed error they raise. */
class OperationsTest {
  private final Fixture f = new Fixture();
  private final DeviceKeyPair alice = Fixture.key("alice");
  private final DeviceKeyPair bob = Fixture.key("bob");

  private DeviceRecord record() {
    return f.store.load(alice.deviceId()).orElseThrow();
  }

  private ErrorCode code(Runnable r) {
    return assertThrows(PairgateException.class, r::run).code();
  }

  @Test
  void approveGrowsBaselineAndReportsWhatItAdded() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.write"));
    Approval a = f.service.approve(p.requestId(), Approver.admin("op"));
    assertEquals(ScopeSet.of("operator.read", "operator.write"), a.device().approvedScopes());
    assertEquals(ScopeSet.of("operator.write"), a.addedScopes());
    assertEquals(List.of(), a.addedRoles());
    assertFalse(a.alreadyApproved());
    assertEquals("operator", a.device().approvedVia());
  }

  @Test
  void approvingTwiceIsIdempotent() {
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.read"));
    Approval first = f.service.approve(p.requestId(), Approver.admin("op"));
    long v = record().version();
    Approval again = f.service.approve(p.requestId(), Approver.admin("op"));
    assertTrue(again.alreadyApproved());
    assertEquals(first.device(), again.device());
    assertEquals(v, record().version());
  }

  @Test
  void unknownRequestId() {
    assertEquals(ErrorCode.UNKNOWN_REQUEST, code(() -> f.service.approve(RequestId.of("nope"), Approver.admin("op"))));
    assertEquals(ErrorCode.UNKNOWN_REQUEST, code(() -> f.service.reject(RequestId.of("nope"))));
  }

  @Test
  void rejectedRequestCannotBeApprovedAndDeviceMayAskAgain() {
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.read"));
    assertEquals(p.requestId(), f.service.reject(p.requestId()).requestId());
    assertEquals(ErrorCode.UNKNOWN_REQUEST, code(() -> f.service.approve(p.requestId(), Approver.admin("op"))));
    assertEquals(ErrorCode.UNKNOWN_REQUEST, code(() -> f.service.reject(p.requestId())));
    PairingRequired again = f.pairingRequired(f.connect(alice, "operator.read"));
    assertNotEquals(p.requestId(), again.requestId());
  }

  @Test
  void forbiddenApproverChangesNothing() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.read", "operator.approvals"));
    DeviceRecord before = record();
    ForbiddenException e = assertThrows(ForbiddenException.class,
        () -> f.service.approve(p.requestId(), Approver.withScopes("op", "operator.pairing", "operator.write")));
    assertEquals(ErrorCode.FORBIDDEN, e.code());
    assertEquals(List.of(Scope.of("operator.approvals")), e.missingScopes());
    assertEquals(before, record());
    // an approver holding the scope (by implication) may approve
    f.service.approve(p.requestId(), Approver.withScopes("op", "operator.approvals", "operator.read"));
  }

  @Test
  void nonOperatorRoleNeedsAdminToApprove() {
    PairingRequired p = f.pairingRequired(f.connect(alice, Role.NODE, "node.exec"));
    ForbiddenException e = assertThrows(ForbiddenException.class,
        () -> f.service.approve(p.requestId(), Approver.withScopes("op", "operator.pairing", "operator.write")));
    assertEquals(List.of(Scope.OPERATOR_ADMIN), e.missingScopes());
    Approval a = f.service.approve(p.requestId(), Approver.admin("op"));
    assertEquals(ScopeSet.of("node.exec"), a.device().token(Role.NODE).scopes());
  }

  @Test
  void mixedRoleApprovalMintsATokenPerRoleWithItsOwnScopes() {
    f.pairingRequired(f.connect(alice, Role.NODE, "node.exec"));
    PairingRequired p = f.pairingRequired(f.connect(alice, Role.OPERATOR, "operator.read", "operator.talk.secrets"));
    Approval a = f.service.approve(p.requestId(), Approver.admin("op"));
    assertEquals(List.of(Role.NODE, Role.OPERATOR), a.device().roles());
    assertEquals(ScopeSet.of("node.exec"), a.device().token(Role.NODE).scopes());
    assertEquals(ScopeSet.of("operator.read", "operator.talk.secrets"), a.device().token(Role.OPERATOR).scopes());
  }

  @Test
  void approvalPreservesADeliberatelyNarrowedToken() {
    f.pair(alice, Role.OPERATOR, "operator.read", "operator.write");
    f.service.rotate(alice.deviceId(), Role.OPERATOR, ScopeSet.of("operator.read"));
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.approvals"));
    assertEquals(UpgradeReason.SCOPE_UPGRADE, p.reason());
    Approval a = f.service.approve(p.requestId(), Approver.admin("op"));
    assertEquals(ScopeSet.of("operator.approvals", "operator.read", "operator.write"), a.device().approvedScopes());
    assertEquals(ScopeSet.of("operator.approvals", "operator.read"), a.device().token(Role.OPERATOR).scopes(),
        "token = its old scopes plus the newly requested ones, not the whole baseline");
  }

  @Test
  void expiredRequestCannotBeApproved() {
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.read"));
    f.advance(Duration.ofMinutes(5));
    assertEquals(ErrorCode.EXPIRED, code(() -> f.service.approve(p.requestId(), Approver.admin("op"))));
    assertTrue(f.service.list().pending().isEmpty());
    PairingRequired next = f.pairingRequired(f.connect(alice, "operator.read"));
    assertNotEquals(p.requestId(), next.requestId());
    assertEquals(ErrorCode.EXPIRED, code(() -> f.service.approve(p.requestId(), Approver.admin("op"))),
        "the replaced id is remembered as expired");
  }

  @Test
  void rejectingAnExpiredRequestIsExpiredAndRejectingAnApprovedOneSaysSo() {
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.read"));
    f.advance(Duration.ofMinutes(5));
    assertEquals(ErrorCode.EXPIRED, code(() -> f.service.reject(p.requestId())));
    PairingRequired q = f.pairingRequired(f.connect(bob, "operator.read"));
    f.service.approve(q.requestId(), Approver.admin("op"));
    PairgateException e = assertThrows(PairgateException.class, () -> f.service.reject(q.requestId()));
    assertEquals(ErrorCode.UNKNOWN_REQUEST, e.code());
    assertTrue(e.getMessage().contains("already approved"), e.getMessage());
  }

  @Test
  void rotatingARevokedTokenReissuesIt() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    f.service.revoke(alice.deviceId(), Role.OPERATOR);
    IssuedToken t = f.service.rotate(alice.deviceId(), Role.OPERATOR);
    assertFalse(t.token().isRevoked());
    f.allowed(f.service.connect(f.attempt(alice, Role.OPERATOR, List.of("operator.read"), Fixture.CLI,
        AuthMethod.DEVICE_TOKEN, t.secret().value())));
  }

  @Test
  void partialApprovalGrantsOnlyTheChosenScopesAtomically() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.write", "operator.admin"));
    DeviceRecord before = record();
    assertEquals(ErrorCode.INVALID_ARGUMENT, code(() ->
        f.service.approve(p.requestId(), Approver.admin("op"), ScopeSet.of("node.exec"))));
    assertEquals(before, record(), "a bad partial approval changes nothing");
    // an approver without admin may approve the write part only
    Approval a = f.service.approve(p.requestId(), Approver.withScopes("op", "operator.write"),
        ScopeSet.of("operator.write"));
    assertEquals(ScopeSet.of("operator.admin"), a.declinedScopes());
    assertEquals(ScopeSet.of("operator.read", "operator.write"), a.device().approvedScopes());
    assertTrue(f.service.approve(p.requestId(), Approver.admin("op")).alreadyApproved());
    f.allowed(f.connect(alice, "operator.write"));
    PairingRequired again = f.pairingRequired(f.connect(alice, "operator.admin"));
    assertEquals(UpgradeReason.SCOPE_UPGRADE, again.reason());
    assertNotEquals(p.requestId(), again.requestId());
  }

  @Test
  void thePartialApprovalRuleIsPublicAndTheServiceAppliesIt() {
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.write"));
    PendingRequest req = f.service.pendingRequest(p.requestId()).orElseThrow();
    ScopePolicy policy = f.service.scopePolicy();
    assertEquals(ScopeSet.empty(), req.scopesOutside(policy, ScopeSet.of("operator.read")),
        "operator.write implies operator.read: part of the request");
    assertEquals(ScopeSet.of("node.exec", "operator.admin"),
        req.scopesOutside(policy, ScopeSet.of("operator.read", "operator.admin", "node.exec")));
    PairgateException e = assertThrows(PairgateException.class, () -> f.service.approve(
        p.requestId(), Approver.admin("op"), ScopeSet.of("operator.admin", "node.exec")));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("node.exec,operator.admin is not part of request"),
        e.getMessage());
  }

  @Test
  void partialApprovalMayNameAScopeTheRequestImplies() {
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.admin"));
    Approval a = f.service.approve(p.requestId(), Approver.admin("op"), ScopeSet.of("operator.read"));
    assertEquals(ScopeSet.of("operator.read"), a.device().approvedScopes());
    assertEquals(ScopeSet.of("operator.admin"), a.declinedScopes());
  }

  @Test
  void pendingTtlIsConfigurable() {
    Fixture g = new Fixture(b -> b.pendingTtl(Duration.ofSeconds(30)));
    PairingRequired p = g.pairingRequired(g.connect(alice, "operator.read"));
    g.advance(Duration.ofSeconds(29));
    g.service.approve(p.requestId(), Approver.admin("op"));
    PairingRequired q = g.pairingRequired(g.connect(bob, "operator.read"));
    g.advance(Duration.ofSeconds(30));
    assertEquals(ErrorCode.EXPIRED,
        assertThrows(PairgateException.class, () -> g.service.approve(q.requestId(), Approver.admin("op"))).code());
  }

  @Test
  void rotateOutsideBaselineChangesNothing() {
    f.pair(alice, Role.OPERATOR, "operator.write");
    DeviceRecord before = record();
    assertEquals(ErrorCode.SCOPE_OUTSIDE_BASELINE, code(() ->
        f.service.rotate(alice.deviceId(), Role.OPERATOR, ScopeSet.of("operator.admin"))));
    assertEquals(before, record());
  }

  @Test
  void rotateNarrowsTheTokenNeverTheBaseline() {
    Approval a = f.pair(alice, Role.OPERATOR, "operator.admin");
    String first = f.allowed(f.connect(alice, "operator.admin")).secret().orElseThrow().value();
    IssuedToken t = f.service.rotate(alice.deviceId(), Role.OPERATOR, ScopeSet.of("operator.read"));
    assertNotEquals(first, t.secret().value());
    assertEquals(43, t.secret().value().length());
    assertTrue(t.secret().value().matches("[A-Za-z0-9_-]{43}"));
    assertEquals(t.token(), record().paired().token(Role.OPERATOR), "the store holds the new token");
    assertTrue(t.token().matches(t.secret().value()));
    assertFalse(record().paired().token(Role.OPERATOR).matches(first), "the old secret is dead");
    assertEquals(ScopeSet.of("operator.admin"), record().paired().approvedScopes());
    assertEquals(a.device().token(Role.OPERATOR).createdAt(), t.token().createdAt());
    // rotating without scopes keeps the narrowed scopes
    assertEquals(ScopeSet.of("operator.read"),
        f.service.rotate(alice.deviceId(), Role.OPERATOR).scopes());
    // custom operator scope under an admin baseline is within it
    assertEquals(ScopeSet.of("operator.talk.secrets"), f.service.rotate(alice.deviceId(), Role.OPERATOR,
        ScopeSet.of("operator.talk.secrets")).scopes());
  }

  @Test
  void rotateErrors() {
    assertEquals(ErrorCode.UNKNOWN_DEVICE, code(() -> f.service.rotate(alice.deviceId(), Role.OPERATOR)));
    f.pair(alice, Role.OPERATOR, "operator.read");
    DeviceRecord before = record();
    assertEquals(ErrorCode.UNKNOWN_ROLE, code(() -> f.service.rotate(alice.deviceId(), Role.NODE)));
    assertEquals(ErrorCode.INVALID_SCOPE, code(() ->
        f.service.rotate(alice.deviceId(), Role.OPERATOR, ScopeSet.of("node.exec"))));
    assertEquals(before, record());
  }

  @Test
  void revokeIsIdempotentAndTyped() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    TokenSummary r1 = f.service.revoke(alice.deviceId(), Role.OPERATOR);
    assertTrue(r1.isRevoked());
    f.advance(Duration.ofSeconds(5));
    assertEquals(r1, f.service.revoke(alice.deviceId(), Role.OPERATOR));
    assertEquals(ErrorCode.UNKNOWN_ROLE, code(() -> f.service.revoke(alice.deviceId(), Role.NODE)));
    assertEquals(ErrorCode.UNKNOWN_DEVICE, code(() -> f.service.revoke(bob.deviceId(), Role.OPERATOR)));
  }

  @Test
  void verifyTokenResults() {
    assertEquals(TokenCheck.NOT_PAIRED, f.service.verifyToken(alice.deviceId(), Role.OPERATOR, "x", ScopeSet.empty()));
    String secret = f.pairAndCollect(alice, Role.OPERATOR, "operator.admin");
    assertEquals(TokenCheck.OK, f.service.verifyToken(alice.deviceId(), Role.OPERATOR, secret,
        ScopeSet.of("operator.read", "operator.write")));
    assertEquals(TokenCheck.ROLE_MISSING, f.service.verifyToken(alice.deviceId(), Role.NODE, secret, ScopeSet.empty()));
    assertEquals(TokenCheck.MISMATCH, f.service.verifyToken(alice.deviceId(), Role.OPERATOR,
        "A".repeat(43), ScopeSet.empty()));
    assertEquals(TokenCheck.MISMATCH, f.service.verifyToken(alice.deviceId(), Role.OPERATOR,
        "é".repeat(43), ScopeSet.empty()));
    IssuedToken narrow = f.service.rotate(alice.deviceId(), Role.OPERATOR, ScopeSet.of("operator.read"));
    assertEquals(TokenCheck.SCOPE_MISMATCH, f.service.verifyToken(alice.deviceId(), Role.OPERATOR,
        narrow.secret().value(), ScopeSet.of("operator.write")));
    f.service.revoke(alice.deviceId(), Role.OPERATOR);
    assertEquals(TokenCheck.REVOKED, f.service.verifyToken(alice.deviceId(), Role.OPERATOR, narrow.secret().value(), ScopeSet.empty()));
  }

  @Test
  void removeDropsDeviceAndPendingButKeepsBlock() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.write"));
    assertEquals(alice.deviceId(), f.service.remove(alice.deviceId()).deviceId());
    assertTrue(f.service.device(alice.deviceId()).isEmpty());
    assertTrue(f.service.pendingRequest(p.requestId()).isEmpty());
    assertEquals(ErrorCode.UNKNOWN_REQUEST, code(() -> f.service.approve(p.requestId(), Approver.admin("op"))));
    assertEquals(ErrorCode.UNKNOWN_DEVICE, code(() -> f.service.remove(alice.deviceId())));
    assertEquals(UpgradeReason.NOT_PAIRED, f.pairingRequired(f.connect(alice, "operator.read")).reason());
    f.service.block(bob.deviceId());
    f.pair(alice, Role.OPERATOR, "operator.read");
    f.service.block(alice.deviceId());
    f.service.remove(alice.deviceId());
    assertEquals(ErrorCode.BLOCKED, f.rejected(f.connect(alice, "operator.read")).code());
  }

  @Test
  void renameSetsTheLabel() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    assertEquals("laptop", f.service.rename(alice.deviceId(), "laptop").label());
    assertEquals("laptop", f.service.list().paired().get(0).label());
    assertEquals(ErrorCode.UNKNOWN_DEVICE, code(() -> f.service.rename(bob.deviceId(), "x")));
  }

  @Test
  void listShowsPendingPairedAndBlockedWithoutSecrets() {
    String secret = f.pairAndCollect(alice, Role.OPERATOR, "operator.read");
    f.connect(bob, "operator.read");
    f.service.block(Fixture.key("carol").deviceId());
    PairingListing l = f.service.list();
    assertEquals(1, l.pending().size());
    assertEquals(bob.deviceId(), l.pending().get(0).deviceId());
    assertEquals(1, l.paired().size());
    assertEquals(1, l.blocked().size());
    assertFalse(l.toString().contains(secret));
  }

  @Test
  void pendingRequestOfFindsTheDevicesLiveRequestOnly() {
    assertTrue(f.service.pendingRequestOf(alice.deviceId()).isEmpty());
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.read"));
    assertEquals(p.requestId(), f.service.pendingRequestOf(alice.deviceId()).orElseThrow().requestId());
    f.advance(Duration.ofMinutes(5));
    assertTrue(f.service.pendingRequestOf(alice.deviceId()).isEmpty(), "expired is not pending");
  }

  @Test
  void resolvedIdsAreBoundedPerDevice() {
    Fixture g = new Fixture(b -> b.maxResolvedPerDevice(3));
    RequestId first = g.pairingRequired(g.connect(alice, "operator.read")).requestId();
    g.service.reject(first);
    for (int i = 0; i < 5; i++) {
      g.service.reject(g.pairingRequired(g.connect(alice, "operator.read")).requestId());
    }
    assertEquals(3, g.store.load(alice.deviceId()).orElseThrow().resolved().size());
    assertTrue(g.store.findByRequestId(first).isEmpty(), "oldest id forgotten");
  }

  @Test
  void resolvedIdsAreForgottenAfterRetention() {
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.read"));
    f.service.approve(p.requestId(), Approver.admin("op"));
    f.advance(Duration.ofHours(23));
    assertTrue(f.service.approve(p.requestId(), Approver.admin("op")).alreadyApproved(), "remembered for a day");
    f.advance(Duration.ofHours(2));
    f.pairingRequired(f.connect(alice, "operator.write")); // any later write prunes
    assertEquals(ErrorCode.UNKNOWN_REQUEST, code(() -> f.service.approve(p.requestId(), Approver.admin("op"))));
  }

  @Test
  void builderRejectsNonsense() {
    assertEquals(ErrorCode.INVALID_ARGUMENT, code(() -> PairingService.builder(f.store).pendingTtl(Duration.ZERO)));
    assertEquals(ErrorCode.INVALID_ARGUMENT, code(() -> PairingService.builder(f.store).signatureSkew(Duration.ofSeconds(-1))));
    assertEquals(ErrorCode.INVALID_ARGUMENT, code(() -> PairingService.builder(f.store).maxResolvedPerDevice(0)));
    assertEquals(ErrorCode.INVALID_ARGUMENT, code(() -> ConnectAttempt.builder()
        .role(Role.OPERATOR).auth(AuthMethod.SHARED_TOKEN, "").build()), "no challenge");
  }

  @Test
  void aConnectAttemptHasNoDefaultRoleOrAuthMethod() {
    Challenge c = f.service.issueChallenge();
    PairgateException noRole = assertThrows(PairgateException.class, () -> ConnectAttempt.builder()
        .auth(AuthMethod.SHARED_TOKEN, "").challenge(c).build());
    assertEquals(ErrorCode.INVALID_ARGUMENT, noRole.code());
    assertTrue(noRole.getMessage().contains("role(...)"), noRole.getMessage());
    PairgateException noAuth = assertThrows(PairgateException.class, () -> ConnectAttempt.builder()
        .role(Role.OPERATOR).challenge(c).build());
    assertEquals(ErrorCode.INVALID_ARGUMENT, noAuth.code());
    assertTrue(noAuth.getMessage().contains("auth(...)"), noAuth.getMessage());
    ConnectAttempt both = ConnectAttempt.builder().role(Role.NODE).auth(AuthMethod.NONE, "")
        .challenge(c).build();
    assertEquals(Role.NODE, both.role());
    assertEquals(AuthMethod.NONE, both.auth());
  }
}
