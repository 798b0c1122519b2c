package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.ConnectResult.PairingRequired;
import io.pairgate.ConnectResult.RequestChange;
import io.pairgate.spi.DeviceRecord;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every reason and every connect-time rejection. */
class DecisionTest {
  private final Fixture f = new Fixture();
  private final DeviceKeyPair alice = Fixture.key("alice");

  private long version() {
    return f.store.load(alice.deviceId()).map(DeviceRecord::version).orElse(0L);
  }

  @Test
  void unknownDeviceIsNotPaired() {
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.read"));
    assertEquals(UpgradeReason.NOT_PAIRED, p.reason());
    assertEquals("PAIRING_REQUIRED", p.code());
    assertEquals("pairing required: device is not approved yet", p.message());
    assertEquals(1008, p.closeCode());
    assertTrue(p.closeReason().contains(p.requestId().value()));
    assertEquals(RequestChange.CREATED, p.requestChange());
    assertEquals(List.of(), p.approvedRoles());
    assertNull(p.approvedScopes());
    assertEquals(List.of(Scope.of("operator.read")), p.missingScopes());
    PendingRequest pending = f.service.pendingRequest(p.requestId()).orElseThrow();
    assertFalse(pending.repair());
    assertEquals("203.0.113.7", pending.remoteAddress());
  }

  @Test
  void roleNotApprovedIsRoleUpgrade() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    PairingRequired p = f.pairingRequired(f.connect(alice, Role.NODE));
    assertEquals(UpgradeReason.ROLE_UPGRADE, p.reason());
    assertEquals(List.of(Role.OPERATOR), p.approvedRoles());
    assertTrue(f.service.pendingRequest(p.requestId()).orElseThrow().repair());
  }

  @Test
  void revokedTokenMakesRoleIneffectiveSoRoleUpgrade() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    f.service.revoke(alice.deviceId(), Role.OPERATOR);
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.read"));
    assertEquals(UpgradeReason.ROLE_UPGRADE, p.reason());
    Approval a = f.service.approve(p.requestId(), Approver.admin("op"));
    assertFalse(a.device().token(Role.OPERATOR).isRevoked(), "approval re-issues the token");
    f.allowed(f.connect(alice, "operator.read"));
  }

  @Test
  void scopesBeyondBaselineAreScopeUpgrade() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.read", "operator.write"));
    assertEquals(UpgradeReason.SCOPE_UPGRADE, p.reason());
    assertEquals(ScopeSet.of("operator.read"), p.approvedScopes());
    assertEquals(List.of(Scope.of("operator.write")), p.missingScopes());
    assertEquals("Review the requested scopes, then approve the pending upgrade.", p.remediationHint());
  }

  @Test
  void changedPlatformIsMetadataUpgradeAndConvergesInOneApproval() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    ClientInfo mac = ClientInfo.of("cli", "cli", "macOS 14.2");
    PairingRequired p = f.pairingRequired(
        f.service.connect(f.attempt(alice, Role.OPERATOR, List.of("operator.read"), mac)));
    assertEquals(UpgradeReason.METADATA_UPGRADE, p.reason());
    f.service.approve(p.requestId(), Approver.admin("op"));
    f.allowed(f.service.connect(f.attempt(alice, Role.OPERATOR, List.of("operator.read"), mac)));
    // a same-family OS bump is tolerated and refreshes the pin
    ClientInfo mac2 = ClientInfo.of("cli", "cli", "macOS 15.0");
    f.allowed(f.service.connect(f.attempt(alice, Role.OPERATOR, List.of("operator.read"), mac2)));
    assertEquals("macOS 15.0", f.service.device(alice.deviceId()).orElseThrow().client().platform());
  }

  @Test
  void changedDeviceFamilyIsMetadataUpgrade() {
    ClientInfo phone = ClientInfo.of("app", "ui", "iOS 17.1").withDeviceFamily("iPhone");
    PairingRequired first = f.pairingRequired(
        f.service.connect(f.attempt(alice, Role.OPERATOR, List.of(), phone)));
    f.service.approve(first.requestId(), Approver.admin("op"));
    f.allowed(f.service.connect(f.attempt(alice, Role.OPERATOR, List.of(), phone.withPlatform("iOS 17.2"))));
    assertEquals(UpgradeReason.METADATA_UPGRADE, f.pairingRequired(f.service.connect(
        f.attempt(alice, Role.OPERATOR, List.of(), phone.withDeviceFamily("iPad")))).reason());
    assertEquals(UpgradeReason.METADATA_UPGRADE, f.pairingRequired(f.service.connect(
        f.attempt(alice, Role.OPERATOR, List.of(), phone.withPlatform("Android 14")))).reason());
  }

  @Test
  void linuxVersionChangeIsNotTolerated() {
    ClientInfo l1 = ClientInfo.of("cli", "cli", "linux 6.1");
    f.service.approve(f.pairingRequired(f.service.connect(
        f.attempt(alice, Role.OPERATOR, List.of(), l1))).requestId(), Approver.admin("op"));
    assertEquals(UpgradeReason.METADATA_UPGRADE, f.pairingRequired(f.service.connect(
        f.attempt(alice, Role.OPERATOR, List.of(), l1.withPlatform("linux 6.2")))).reason());
  }

  @Test
  void checksRunInOrderMetadataBeforeRoleBeforeScopes() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    ClientInfo other = ClientInfo.of("cli", "cli", "windows");
    assertEquals(UpgradeReason.METADATA_UPGRADE, f.pairingRequired(f.service.connect(
        f.attempt(alice, Role.NODE, List.of("node.exec"), other))).reason());
    assertEquals(UpgradeReason.ROLE_UPGRADE,
        f.pairingRequired(f.connect(alice, Role.NODE, "node.exec")).reason());
  }

  @Test
  void allowedWithinBaselineCreatesNoPendingAndWritesNothing() {
    f.pair(alice, Role.OPERATOR, "operator.admin");
    f.allowed(f.connect(alice, "operator.admin")); // first connect may record lastSeen
    long v = version();
    for (String s : List.of("operator.read", "operator.write", "operator.pairing", "operator.talk.secrets")) {
      ConnectResult.Allowed a = f.allowed(f.connect(alice, s));
      assertEquals(ScopeSet.of(s), a.scopes(), "session holds exactly what it asked for");
      assertFalse(a.tokenIssued());
    }
    assertEquals(v, version(), "no store write for an unchanged paired device");
    assertTrue(f.service.list().pending().isEmpty());
  }

  @Test
  void emptyScopeRequestOfPairedRoleIsAllowed() {
    f.pair(alice, Role.NODE);
    ConnectResult.Allowed a = f.allowed(f.connect(alice, Role.NODE));
    assertEquals(ScopeSet.empty(), a.scopes());
    assertEquals(ScopeSet.empty(), a.token().scopes());
  }

  @Test
  void inadmissibleScopeIsRejectedWithoutCreatingARequest() {
    assertEquals(ErrorCode.INVALID_SCOPE, f.rejected(f.connect(alice, Role.NODE, "operator.read")).code());
    assertEquals(ErrorCode.INVALID_SCOPE, f.rejected(f.connect(alice, Role.NODE, "system.run")).code());
    assertEquals(ErrorCode.INVALID_SCOPE, f.rejected(f.connect(alice, "node.exec")).code());
    assertEquals(ErrorCode.INVALID_SCOPE, f.rejected(f.connect(alice, "bad scope")).code());
    assertEquals(Optional.empty(), f.store.load(alice.deviceId()));
  }

  @Test
  void blockedDeviceIsRejectedAndCreatesNoRequest() {
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.read"));
    f.service.block(alice.deviceId());
    assertTrue(f.service.pendingRequest(p.requestId()).isEmpty(), "block drops the open request");
    long v = version();
    ConnectResult.Rejected r = f.rejected(f.connect(alice, "operator.read"));
    assertEquals(ErrorCode.BLOCKED, r.code());
    assertEquals(1008, r.closeCode());
    assertEquals(v, version());
    assertEquals(List.of(alice.deviceId()), f.service.list().blocked());
    assertEquals(ErrorCode.UNKNOWN_REQUEST, org.junit.jupiter.api.Assertions.assertThrows(
        PairgateException.class, () -> f.service.approve(p.requestId(), Approver.admin("op"))).code());
    f.service.unblock(alice.deviceId());
    assertEquals(UpgradeReason.NOT_PAIRED, f.pairingRequired(f.connect(alice, "operator.read")).reason());
  }

  @Test
  void blockingAPairedDeviceKeepsItsRecordForUnblock() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    f.service.block(alice.deviceId());
    assertEquals(ErrorCode.BLOCKED, f.rejected(f.connect(alice, "operator.read")).code());
    f.service.unblock(alice.deviceId());
    f.allowed(f.connect(alice, "operator.read"));
  }

  // --- device-token authentication ----------------------------------------------------------

  private ConnectResult tokenConnect(Role role, String token, String... scopes) {
    return f.service.connect(f.attempt(alice, role, List.of(scopes), Fixture.CLI, AuthMethod.DEVICE_TOKEN, token));
  }

  @Test
  void deviceTokenConnectVerifiesTheToken() {
    assertEquals(ErrorCode.UNKNOWN_DEVICE, f.rejected(tokenConnect(Role.OPERATOR, "x", "operator.read")).code());
    String secret = f.pairAndCollect(alice, Role.OPERATOR, "operator.read");
    f.allowed(tokenConnect(Role.OPERATOR, secret, "operator.read"));
    assertEquals(ErrorCode.TOKEN_MISMATCH, f.rejected(tokenConnect(Role.OPERATOR, secret + "x", "operator.read")).code());
    assertEquals(ErrorCode.UNKNOWN_ROLE, f.rejected(tokenConnect(Role.NODE, secret)).code());
    assertEquals(ErrorCode.TOKEN_SCOPE_MISMATCH,
        f.rejected(tokenConnect(Role.OPERATOR, secret, "operator.write")).code());
    f.service.revoke(alice.deviceId(), Role.OPERATOR);
    assertEquals(ErrorCode.TOKEN_REVOKED, f.rejected(tokenConnect(Role.OPERATOR, secret, "operator.read")).code());
  }

  @Test
  void deviceTokenConnectForRoleWithoutTokenIsTokenMissing() {
    // a record imported without tokens: roles approved, token map empty
    f.pair(alice, Role.OPERATOR, "operator.read");
    DeviceRecord rec = f.store.load(alice.deviceId()).orElseThrow();
    f.store.compareAndSet(rec.version(), new DeviceRecord(rec.deviceId(), rec.version() + 1,
        rec.paired().withTokens(java.util.Map.of()), null, false, rec.resolved()));
    assertEquals(ErrorCode.TOKEN_MISSING, f.rejected(tokenConnect(Role.OPERATOR, "x", "operator.read")).code());
    // with shared auth the legacy record still connects and gets a token within its baseline
    ConnectResult.Allowed ok = f.allowed(f.connect(alice, "operator.read"));
    assertTrue(ok.tokenIssued());
  }

  @Test
  void storedTokenWiderThanBaselineFailsClosed() {
    String secret = f.pairAndCollect(alice, Role.OPERATOR, "operator.read");
    DeviceRecord rec = f.store.load(alice.deviceId()).orElseThrow();
    DeviceToken t = rec.paired().token(Role.OPERATOR);
    f.store.compareAndSet(rec.version(), new DeviceRecord(rec.deviceId(), rec.version() + 1,
        rec.paired().withTokens(java.util.Map.of(Role.OPERATOR, t.withScopes(ScopeSet.of("operator.admin")))),
        null, false, rec.resolved()));
    assertEquals(TokenCheck.EXCEEDS_BASELINE,
        f.service.verifyToken(alice.deviceId(), Role.OPERATOR, secret, ScopeSet.of("operator.read")));
    assertEquals(ErrorCode.TOKEN_SCOPE_MISMATCH,
        f.rejected(tokenConnect(Role.OPERATOR, secret, "operator.read")).code());
    // a shared-auth connect clamps the token back into the baseline
    ConnectResult.Allowed ok = f.allowed(f.connect(alice, "operator.read"));
    assertEquals(ScopeSet.of("operator.read"), ok.token().scopes());
  }

  @Test
  void tokenGrowsToCoverARequestWithinTheBaselineKeepingItsSecret() {
    f.pair(alice, Role.OPERATOR, "operator.admin");
    IssuedToken narrow = f.service.rotate(alice.deviceId(), Role.OPERATOR, ScopeSet.of("operator.read"));
    ConnectResult.Allowed a = f.allowed(f.connect(alice, "operator.pairing"));
    assertTrue(a.tokenIssued());
    assertEquals(narrow.token().hash(), a.token().hash(), "the secret is kept");
    assertTrue(a.secret().isEmpty(), "a shared-auth connect cannot deliver a kept secret");
    f.allowed(tokenConnect(Role.OPERATOR, narrow.secret().value(), "operator.pairing"));
    assertEquals(ScopeSet.of("operator.pairing", "operator.read"), a.token().scopes());
    assertNotEquals(null, a.token().rotatedAt());
  }
}
