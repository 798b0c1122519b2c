package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.ConnectResult.PairingRequired;
import io.pairgate.ConnectResult.RequestChange;
import io.pairgate.audit.AuditEvent;
import io.pairgate.policy.Locality;
import io.pairgate.policy.StandingApproval;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.ResolvedRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** R10–R11 through the service: locality, silent local approval, standing approvals. */
class ConnectPolicyTest {
  private static final Map<String, String> LOCAL_HOST = Map.of("host", "localhost:18789");
  private static final ClientInfo APP = ClientInfo.of("openclaw-macos", "ui", "macOS 14.4");

  private final RecordingListener audit = new RecordingListener();
  // Silent approval is opt-in since issue #14 (autoApproveLocal defaults to false); these tests
  // are about what the opt-in allows, so the shared fixture opts in.
  private final Fixture f = new Fixture(b -> b.auditListener(audit).autoApproveLocal(true));
  private final DeviceKeyPair alice = Fixture.key("alice");

  private ConnectResult local(Fixture fx, DeviceKeyPair key, Role role, AuthMethod auth,
      ClientInfo client, String... scopes) {
    return fx.service.connect(fx.attempt(key, role, List.of(scopes), client, auth, "",
        "127.0.0.1", LOCAL_HOST));
  }

  private ConnectResult from(Fixture fx, DeviceKeyPair key, Role role, String peer,
      Map<String, String> headers, String... scopes) {
    return fx.service.connect(fx.attempt(key, role, List.of(scopes), Fixture.CLI,
        AuthMethod.SHARED_TOKEN, "", peer, headers));
  }

  @Test
  void unknownPeerWithoutHeadersIsRemoteAndNeverSilent() {
    ConnectAttempt a = f.attempt(alice, Role.OPERATOR, List.of("operator.read"), Fixture.CLI,
        AuthMethod.NONE, "", "", Map.of());
    assertEquals(Locality.REMOTE, f.service.explain(a).locality());
    PairingRequired p = f.pairingRequired(f.service.connect(a));
    assertEquals(UpgradeReason.NOT_PAIRED, p.reason());
    assertEquals("", f.service.pendingRequest(p.requestId()).orElseThrow().remoteAddress());
  }

  @Test
  void directLocalFirstPairingIsApprovedSilentlyInTheSameWrite() {
    ConnectResult.Allowed ok = f.allowed(local(f, alice, Role.OPERATOR, AuthMethod.SHARED_TOKEN,
        APP, "operator.read"));
    assertTrue(ok.tokenIssued());
    assertEquals(ScopeSet.of("operator.read"), ok.scopes());
    DeviceRecord rec = f.store.load(alice.deviceId()).orElseThrow();
    assertEquals(1, rec.version(), "approval and allow are one compare-and-set");
    assertNull(rec.pending());
    assertEquals("silent", rec.paired().approvedVia());
    assertEquals("127.0.0.1", rec.paired().remoteAddress());
    assertTrue(ok.secret().isPresent(), "the silent approval's connect delivers the secret");
    assertTrue(rec.paired().token(Role.OPERATOR).matches(ok.secret().get().value()),
        "the store holds the hash of the delivered secret");
    assertEquals(ResolvedRequest.Resolution.APPROVED, rec.resolved().get(0).outcome());
    AuditEvent.RequestApproved e = audit.of(AuditEvent.RequestApproved.class).get(0);
    assertEquals("silent", e.via());
    assertEquals("silent", e.approver());
    assertTrue(e.silent());
    assertEquals(List.of("request-approved"), audit.types());
    // the next connect is an ordinary allowed one
    f.allowed(local(f, alice, Role.OPERATOR, AuthMethod.SHARED_TOKEN, APP, "operator.read"));
  }

  @Test
  void localScopeUpgradeIsSilentWithSharedAuthButNotWithTailscale() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    ConnectResult.Allowed ok = f.allowed(local(f, alice, Role.OPERATOR, AuthMethod.PASSWORD,
        Fixture.CLI, "operator.write"));
    assertEquals(ScopeSet.of("operator.read", "operator.write"),
        f.service.device(alice.deviceId()).orElseThrow().approvedScopes());
    assertTrue(ok.token().scopes().contains("operator.write"));
    PairingRequired p = f.pairingRequired(local(f, alice, Role.OPERATOR, AuthMethod.TAILSCALE,
        Fixture.CLI, "operator.admin"));
    assertEquals(UpgradeReason.SCOPE_UPGRADE, p.reason());
  }

  @Test
  void autoApproveLocalOffKeepsLocalPairingManual() {
    Fixture fx = new Fixture(b -> b.autoApproveLocal(false));
    PairingRequired p = fx.pairingRequired(local(fx, alice, Role.OPERATOR, AuthMethod.SHARED_TOKEN,
        APP, "operator.read"));
    assertEquals(UpgradeReason.NOT_PAIRED, p.reason());
  }

  @Test
  void localCliContainerMetadataRefreshStaysSilentWithAutoApproveLocalOff() {
    Fixture fx = new Fixture(b -> b.autoApproveLocal(false));
    fx.pair(alice, Role.OPERATOR, "operator.read");
    ClientInfo windows = ClientInfo.of("cli", "cli", "windows");
    Map<String, String> containerHost = Map.of("host", "172.18.0.2:18789");
    ConnectResult r = fx.service.connect(fx.attempt(alice, Role.OPERATOR,
        List.of("operator.read"), windows, AuthMethod.SHARED_TOKEN, "", "127.0.0.1",
        containerHost));
    fx.allowed(r);
    assertEquals("windows", fx.service.device(alice.deviceId()).orElseThrow().client().platform());
    assertEquals("silent", fx.service.device(alice.deviceId()).orElseThrow().approvedVia());
    // but a metadata change that also widens scopes is judged on every aspect: scope-upgrade is
    // not silent with autoApproveLocal off
    ClientInfo mac = ClientInfo.of("cli", "cli", "macOS 15.0");
    PairingRequired p = fx.pairingRequired(fx.service.connect(fx.attempt(alice, Role.OPERATOR,
        List.of("operator.admin"), mac, AuthMethod.SHARED_TOKEN, "", "127.0.0.1",
        containerHost)));
    assertEquals(UpgradeReason.METADATA_UPGRADE, p.reason());
  }

  @Test
  void aRemotelyWidenedRequestIsNotApprovedSilentlyThroughALaterLocalMetadataRefresh() {
    Fixture fx = new Fixture(b -> b.autoApproveLocal(false));
    fx.pair(alice, Role.OPERATOR, "operator.read");
    PairingRequired remote = fx.pairingRequired(fx.connect(alice, "operator.admin"));
    ClientInfo windows = ClientInfo.of("cli", "cli", "windows");
    PairingRequired p = fx.pairingRequired(fx.service.connect(fx.attempt(alice, Role.OPERATOR,
        List.of("operator.read"), windows, AuthMethod.SHARED_TOKEN, "", "127.0.0.1",
        Map.of("host", "172.18.0.2"))));
    assertEquals(RequestChange.SUPERSEDED, p.requestChange());
    assertTrue(fx.service.pendingRequest(p.requestId()).orElseThrow().scopes()
        .contains("operator.admin"), "the union still waits for an operator");
    assertTrue(fx.service.pendingRequest(remote.requestId()).isEmpty());
  }

  @Test
  void revokedRoleIsNeverRestoredAutomatically() {
    f.allowed(local(f, alice, Role.OPERATOR, AuthMethod.SHARED_TOKEN, APP, "operator.read"));
    f.service.revoke(alice.deviceId(), Role.OPERATOR);
    PairingRequired p = f.pairingRequired(
        local(f, alice, Role.OPERATOR, AuthMethod.SHARED_TOKEN, APP, "operator.read"));
    assertEquals(UpgradeReason.ROLE_UPGRADE, p.reason());
    Explanation x = f.service.explain(
        f.attempt(alice, Role.OPERATOR, List.of("operator.read"), APP, AuthMethod.SHARED_TOKEN, "",
            "127.0.0.1", LOCAL_HOST));
    assertTrue(x.autoApproval().get(0).contains("revoked by an operator"), x.toString());
    f.service.approve(p.requestId(), Approver.admin("op"));
    f.allowed(local(f, alice, Role.OPERATOR, AuthMethod.SHARED_TOKEN, APP, "operator.read"));
  }

  @Test
  void blockStillRejectsLocalDevices() {
    f.service.block(alice.deviceId());
    assertEquals(ErrorCode.BLOCKED, f.rejected(
        local(f, alice, Role.OPERATOR, AuthMethod.SHARED_TOKEN, APP, "operator.read")).code());
  }

  @Test
  void spoofedForwardedForFromAnUntrustedPeerStaysRemote() {
    PairingRequired p = f.pairingRequired(from(f, alice, Role.OPERATOR, "203.0.113.7",
        Map.of("host", "localhost", "x-forwarded-for", "127.0.0.1"), "operator.read"));
    assertEquals("203.0.113.7", f.service.pendingRequest(p.requestId()).orElseThrow()
        .remoteAddress());
  }

  @Test
  void requestRecordsTheClientBehindATrustedProxy() {
    Fixture fx = new Fixture(b -> b.trustedProxies("172.17.0.0/16"));
    PairingRequired p = fx.pairingRequired(from(fx, alice, Role.OPERATOR, "172.17.0.1",
        Map.of("host", "gw.example", "x-forwarded-for", "198.51.100.4, 203.0.113.9"),
        "operator.read"));
    assertEquals("203.0.113.9", fx.service.pendingRequest(p.requestId()).orElseThrow()
        .remoteAddress());
  }

  private static final StandingApproval LAB_NODES =
      StandingApproval.builder("lab-nodes").roles(Role.NODE).from("10.20.0.0/16").build();

  @Test
  void standingApprovalPairsFirstTimeNodesFromItsRangeOnly() {
    Fixture fx = new Fixture(b -> b.standingApproval(LAB_NODES).auditListener(audit));
    ConnectResult.Allowed ok = fx.allowed(from(fx, alice, Role.NODE, "10.20.1.5", Map.of()));
    assertEquals("standing", fx.service.device(alice.deviceId()).orElseThrow().approvedVia());
    assertEquals("standing:lab-nodes",
        audit.of(AuditEvent.RequestApproved.class).get(0).approver());
    assertEquals(ScopeSet.empty(), ok.scopes());
    DeviceKeyPair bob = Fixture.key("bob");
    assertEquals(UpgradeReason.NOT_PAIRED,
        fx.pairingRequired(from(fx, bob, Role.NODE, "10.21.0.1", Map.of())).reason());
    DeviceKeyPair carol = Fixture.key("carol");
    fx.pairingRequired(from(fx, carol, Role.NODE, "10.20.1.6", Map.of(), "node.exec"));
    DeviceKeyPair dave = Fixture.key("dave");
    fx.pairingRequired(from(fx, dave, Role.OPERATOR, "10.20.1.7", Map.of()));
    // an upgrade of a device the standing approval paired is not first-time pairing
    fx.pairingRequired(from(fx, alice, Role.NODE, "10.20.1.5", Map.of(), "node.exec"));
  }

  @Test
  void aProxyInsideTheStandingRangeDoesNotQualifyItsClients() {
    Fixture fx = new Fixture(b -> b.standingApproval(LAB_NODES).trustedProxies("10.20.0.1"));
    // the proxy lives in the range, the client it forwards for does not
    fx.pairingRequired(from(fx, alice, Role.NODE, "10.20.0.1",
        Map.of("x-forwarded-for", "203.0.113.9")));
    // the proxy sends no forwarding header: the client is unresolved, so no address matches
    DeviceKeyPair bob = Fixture.key("bob");
    fx.pairingRequired(from(fx, bob, Role.NODE, "10.20.0.1", Map.of()));
    // a client inside the range behind the trusted proxy does qualify
    DeviceKeyPair carol = Fixture.key("carol");
    fx.allowed(from(fx, carol, Role.NODE, "10.20.0.1", Map.of("x-forwarded-for", "10.20.3.3")));
  }

  @Test
  void standingApprovalWithACeilingCoversScopeUpgradesWithinIt() {
    StandingApproval ops = StandingApproval.builder("ops-read")
        .roles(Role.OPERATOR).maxScopes("operator.read", "operator.pairing")
        .reasons(UpgradeReason.NOT_PAIRED, UpgradeReason.SCOPE_UPGRADE)
        .authMethods(AuthMethod.TRUSTED_PROXY).build();
    Fixture fx = new Fixture(b -> b.standingApproval(ops));
    ConnectResult first = fx.service.connect(fx.attempt(alice, Role.OPERATOR,
        List.of("operator.read"), Fixture.CLI, AuthMethod.TRUSTED_PROXY, ""));
    fx.allowed(first);
    fx.allowed(fx.service.connect(fx.attempt(alice, Role.OPERATOR,
        List.of("operator.pairing"), Fixture.CLI, AuthMethod.TRUSTED_PROXY, "")));
    PairingRequired p = fx.pairingRequired(fx.service.connect(fx.attempt(alice, Role.OPERATOR,
        List.of("operator.write"), Fixture.CLI, AuthMethod.TRUSTED_PROXY, "")));
    assertEquals(UpgradeReason.SCOPE_UPGRADE, p.reason());
    // shared-token auth is not accepted by this standing approval
    fx.pairingRequired(fx.connect(Fixture.key("bob"), "operator.read"));
  }

  @Test
  void aTrustedProxyRangeCoveringPublicAddressesIsWarnedAboutAtBuild() {
    java.util.function.Supplier<Long> warnings = () -> CapturingLogs.lines().stream()
        .filter(l -> l.level() == org.slf4j.event.Level.WARN
            && l.message().startsWith("trusted proxy range 172.0.0.0/8 includes public addresses"))
        .count();
    long before = warnings.get();
    new Fixture(b -> b.trustedProxies("172.17.0.0/16", "198.51.100.7"));
    assertEquals(before, warnings.get(), "private ranges and single proxies are fine");
    new Fixture(b -> b.trustedProxies("172.0.0.0/8"));
    assertEquals(before + 1, warnings.get());
  }

  @Test
  void builderValidatesEagerlyWithClearMessages() {
    PairingServiceBuilder b = PairingService.builder(new InMemoryPairingStore());
    PairgateException e = assertThrows(PairgateException.class,
        () -> b.trustedProxies("127.0.0.1", "nginx.local"));
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("nginx.local") && e.getMessage().contains("host names"),
        e.getMessage());
    assertEquals(ErrorCode.INVALID_ARGUMENT,
        assertThrows(PairgateException.class, () -> b.maxPending(0)).code());
    assertEquals(ErrorCode.INVALID_ARGUMENT,
        assertThrows(PairgateException.class, () -> b.maxPendingPerAddress(-1)).code());
    b.standingApproval(LAB_NODES);
    assertTrue(assertThrows(PairgateException.class, () -> b.standingApproval(LAB_NODES))
        .getMessage().contains("already added"));
    PairingServiceBuilder c = PairingService.builder(new InMemoryPairingStore())
        .standingApproval(StandingApproval.builder("bad").roles(Role.NODE)
            .maxScopes("operator.read").build());
    assertTrue(assertThrows(PairgateException.class, c::build).getMessage()
        .contains("operator.read can never be held by its roles [node]"));
    assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(PairgateException.class,
        () -> StandingApproval.builder("x").roles(Role.NODE).from("lab.example")).code());
    assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(PairgateException.class,
        () -> StandingApproval.builder("no roles").build()).code());
  }
}
