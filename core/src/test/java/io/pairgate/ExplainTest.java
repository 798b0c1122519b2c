package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.ConnectResult.PairingRequired;
import io.pairgate.ConnectResult.RequestChange;
import io.pairgate.ConnectResult.Kind;
import io.pairgate.Explanation.Status;
import io.pairgate.policy.ClientAddress;
import io.pairgate.policy.Locality;
import io.pairgate.spi.DeviceRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** R15: explain is a dry run naming the deciding rule; explainRequest / explainDevice. */
class ExplainTest {
  private final RecordingListener audit = new RecordingListener();
  private final AtomicLong randomBytes = new AtomicLong();
  private final java.util.Random seeded = new java.util.Random(42);
  private final Fixture f = new Fixture(b -> b.auditListener(audit).randomSource(bytes -> {
    randomBytes.addAndGet(bytes.length);
    seeded.nextBytes(bytes);
  }).trustedProxies("172.17.0.0/16"));
  private final DeviceKeyPair alice = Fixture.key("explain-alice");

  private ConnectAttempt attempt(String... scopes) {
    return f.attempt(alice, Role.OPERATOR, List.of(scopes), Fixture.CLI);
  }

  private long version() {
    return f.store.load(alice.deviceId()).map(DeviceRecord::version).orElse(0L);
  }

  /** Explains, checks that nothing changed, and that the same attempt still connects. */
  private Explanation dryRun(ConnectAttempt a) {
    long v = version();
    long drawn = randomBytes.get();
    int events = audit.events().size();
    Explanation x = f.service.explain(a);
    assertEquals(v, version(), "explain writes nothing");
    assertEquals(drawn, randomBytes.get(), "explain mints no id, token or nonce");
    assertEquals(events, audit.events().size(), "explain emits no event");
    ConnectResult result = f.service.connect(a);
    Kind byType = result.fold(r -> Kind.ALLOWED, r -> Kind.PAIRING_REQUIRED, r -> Kind.REJECTED);
    assertEquals(x.outcome(), byType,
        "connect decides as explained; the nonce was not consumed: " + x);
    assertEquals(byType, result.kind(), "kind() names the result's type");
    assertFalse(x.checks().isEmpty());
    assertFalse(x.lines().isEmpty());
    return x;
  }

  private static Explanation.Check check(Explanation x, String rule) {
    return x.checks().stream().filter(c -> c.rule().equals(rule)).findFirst()
        .orElseThrow(() -> new AssertionError("no check " + rule + " in\n" + x));
  }

  @Test
  void notPaired() {
    Explanation x = dryRun(attempt("operator.read"));
    assertEquals(Kind.PAIRING_REQUIRED, x.outcome());
    assertEquals("R4.3", x.rule());
    assertEquals(UpgradeReason.NOT_PAIRED, x.reason());
    assertEquals(RequestChange.CREATED, x.requestChange());
    assertNull(x.requestId(), "a new id would be minted");
    assertEquals(List.of(Scope.OPERATOR_READ), x.missingScopes());
    assertNull(x.approvedScopes());
    assertEquals(Status.FAIL, check(x, "R4.3").status());
    assertEquals(Status.PASS, check(x, "R12.1").status());
    assertEquals(Locality.REMOTE, x.locality());
    assertEquals("203.0.113.7", x.clientAddress().address());
    assertTrue(x.autoApproval().get(0).contains("silent local approval does not apply: the"
        + " connection is remote"), x.autoApproval().toString());
    assertTrue(x.toString().contains("pairing required (not-paired) - decided by R4.3"),
        x.toString());
  }

  @Test
  void roleUpgrade() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    Explanation x = dryRun(f.attempt(alice, Role.NODE, List.of("node.exec"), Fixture.CLI));
    assertEquals("R4.5", x.rule());
    assertEquals(UpgradeReason.ROLE_UPGRADE, x.reason());
    assertEquals(List.of(Role.OPERATOR), x.approvedRoles());
    assertTrue(check(x, "R4.5").detail().contains("never approved"), x.toString());
  }

  @Test
  void scopeUpgradeNamesTheMissingScopesAndTheKeptRequest() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    PairingRequired p = f.pairingRequired(f.connect(alice, "operator.write"));
    Explanation x = dryRun(attempt("operator.read", "operator.write"));
    assertEquals("R4.6", x.rule());
    assertEquals(UpgradeReason.SCOPE_UPGRADE, x.reason());
    assertEquals(ScopeSet.of("operator.read"), x.approvedScopes());
    assertEquals(List.of(Scope.OPERATOR_WRITE), x.missingScopes());
    assertEquals(RequestChange.UNCHANGED, x.requestChange());
    assertEquals(p.requestId(), x.requestId());
    assertEquals(Status.SKIP, check(x, "R12.1").status());
    assertTrue(check(x, "R4.6").detail().contains("missing [operator.write]"), x.toString());
  }

  @Test
  void metadataUpgrade() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    Explanation x = dryRun(f.attempt(alice, Role.OPERATOR, List.of("operator.read"),
        ClientInfo.of("cli", "cli", "windows")));
    assertEquals("R4.4", x.rule());
    assertEquals(UpgradeReason.METADATA_UPGRADE, x.reason());
    assertTrue(check(x, "R4.4").detail().contains("pinned platform=\"linux\""), x.toString());
  }

  @Test
  void allowed() {
    f.pair(alice, Role.OPERATOR, "operator.admin");
    f.allowed(f.connect(alice, "operator.read"));
    Explanation x = dryRun(attempt("operator.read"));
    assertEquals(Kind.ALLOWED, x.outcome());
    assertEquals("R4.8", x.rule());
    assertNull(x.reason());
    assertEquals(List.of(), x.missingScopes());
    assertEquals(List.of(), x.autoApproval());
  }

  @Test
  void rejections() {
    f.service.block(alice.deviceId());
    Explanation blocked = dryRun(attempt("operator.read"));
    assertEquals(Kind.REJECTED, blocked.outcome());
    assertEquals(ErrorCode.BLOCKED, blocked.rejection());
    assertEquals("R4.1", blocked.rule());
    f.service.unblock(alice.deviceId());
    Explanation bad = dryRun(attempt("operator.read", "no such"));
    assertEquals(ErrorCode.INVALID_SCOPE, bad.rejection());
    assertEquals("R3.1", bad.rule());
    Explanation token = dryRun(f.attempt(alice, Role.OPERATOR, List.of(), Fixture.CLI,
        AuthMethod.DEVICE_TOKEN, "nope"));
    assertEquals(ErrorCode.UNKNOWN_DEVICE, token.rejection());
    assertEquals("R4.2", token.rule());
  }

  @Test
  void proofFailuresNameTheirRule() {
    ConnectAttempt a = attempt("operator.read");
    ConnectAttempt tampered = new ConnectAttempt(a.deviceId(), a.publicKey(), a.role(),
        List.of("operator.admin"), a.client(), a.signature(), a.signedAtMs(), a.nonce(),
        a.challenge(), a.auth(), a.token(), a.peerAddress(), a.headers(), a.scheme());
    Explanation x = f.service.explain(tampered);
    assertEquals(ErrorCode.SIGNATURE_INVALID, x.rejection());
    assertEquals("R1.3.7", x.rule());
    f.service.connect(a);
    Explanation replay = f.service.explain(a);
    assertEquals(ErrorCode.NONCE_MISMATCH, replay.rejection(), "a consumed nonce stays consumed");
    assertEquals("R1.3.6", replay.rule());
  }

  @Test
  void floodLimit() {
    Fixture fx = new Fixture(b -> b.maxPending(1));
    fx.pairingRequired(fx.connect(Fixture.key("other"), "operator.read"));
    Explanation x = fx.service.explain(fx.attempt(alice, Role.OPERATOR, List.of(), Fixture.CLI));
    assertEquals(ErrorCode.TOO_MANY_PENDING, x.rejection());
    assertEquals("R12.1", x.rule());
    assertEquals(UpgradeReason.NOT_PAIRED, x.reason());
  }

  @Test
  void silentApprovalAndProxyHops() {
    // silent approval is opt-in since issue #14
    Fixture opted = new Fixture(b -> b.autoApproveLocal(true));
    Explanation local = opted.service.explain(opted.attempt(alice, Role.OPERATOR,
        List.of("operator.read"), Fixture.CLI, AuthMethod.SHARED_TOKEN, "", "127.0.0.1",
        Map.of("host", "localhost")));
    assertEquals(Kind.ALLOWED, local.outcome());
    assertEquals("R11.2", local.rule());
    assertEquals("silent", local.approvedVia());
    assertEquals(UpgradeReason.NOT_PAIRED, local.reason(), "the reason before the approval");
    assertEquals(Locality.DIRECT_LOCAL, local.locality());
    DeviceKeyPair bob = Fixture.key("explain-bob");
    Explanation proxied = f.service.explain(f.attempt(bob, Role.OPERATOR, List.of(), Fixture.CLI,
        AuthMethod.SHARED_TOKEN, "", "172.17.0.1",
        Map.of("host", "localhost", "x-forwarded-for", "203.0.113.9, 172.17.0.4")));
    ClientAddress a = proxied.clientAddress();
    assertEquals("203.0.113.9", a.address());
    assertEquals(ClientAddress.Source.X_FORWARDED_FOR, a.source());
    assertEquals(List.of("172.17.0.4"), a.proxyHops());
    assertEquals(Locality.REMOTE, proxied.locality());
    assertTrue(proxied.toString().contains("via trusted proxy 172.17.0.1 [matches 172.17.0.0/16]"),
        proxied.toString());
  }

  @Test
  void explainRequestCoversEveryStatus() {
    assertEquals(RequestExplanation.State.UNKNOWN, f.service.explainRequest(RequestId.of("nope")).status());
    f.pair(alice, Role.OPERATOR, "operator.read");
    PairingRequired first = f.pairingRequired(f.connect(alice, "operator.write"));
    PairingRequired wider = f.pairingRequired(f.connect(alice, Role.NODE, "node.exec"));
    RequestExplanation sup = f.service.explainRequest(first.requestId());
    assertEquals(RequestExplanation.State.SUPERSEDED, sup.status());
    assertEquals(wider.requestId(), sup.successorRequestId());
    RequestExplanation p = f.service.explainRequest(wider.requestId());
    assertEquals(RequestExplanation.State.PENDING, p.status());
    assertEquals(alice.deviceId(), p.deviceId());
    assertEquals(UpgradeReason.ROLE_UPGRADE, p.request().reason());
    assertEquals(List.of(Role.NODE), p.missingRoles());
    assertEquals(List.of(Scope.of("node.exec"), Scope.OPERATOR_WRITE), p.missingScopes());
    assertEquals(List.of(Role.NODE, Role.OPERATOR), p.rolesAfterApproval());
    assertEquals(ScopeSet.of("node.exec", "operator.read", "operator.write"),
        p.scopesAfterApproval());
    assertEquals(ScopeSet.of("node.exec"), p.tokenScopesAfterApproval().get(Role.NODE));
    assertEquals(ScopeSet.of("operator.read", "operator.write"),
        p.tokenScopesAfterApproval().get(Role.OPERATOR));
    assertEquals(ScopeSet.of("operator.admin", "operator.write"), p.approverNeeds());
    assertFalse(p.replacesPairedKey());
    assertTrue(String.join("\n", p.lines()).contains("approving grants: roles=[node, operator]"),
        p.toString());
    // what it said is exactly what approval does
    Approval a = f.service.approve(wider.requestId(), Approver.admin("op"));
    assertEquals(p.scopesAfterApproval(), a.device().approvedScopes());
    assertEquals(p.rolesAfterApproval(), a.device().roles());
    assertEquals(p.addedRoles(), a.addedRoles());
    assertEquals(p.addedScopes(), a.addedScopes());
    assertEquals(RequestExplanation.State.APPROVED,
        f.service.explainRequest(wider.requestId()).status());
    PairingRequired r = f.pairingRequired(f.connect(alice, "operator.admin"));
    f.service.reject(r.requestId());
    assertEquals(RequestExplanation.State.REJECTED, f.service.explainRequest(r.requestId()).status());
    PairingRequired e = f.pairingRequired(f.connect(alice, "operator.admin"));
    f.advance(Duration.ofMinutes(5));
    RequestExplanation expired = f.service.explainRequest(e.requestId());
    assertEquals(RequestExplanation.State.EXPIRED, expired.status());
    assertTrue(expired.lines().get(1).contains("connect again"), expired.toString());
  }

  @Test
  void explainDevice() {
    assertFalse(f.service.explainDevice(alice.deviceId()).known());
    f.pair(alice, Role.OPERATOR, "operator.read");
    f.pair(alice, Role.NODE);
    f.service.revoke(alice.deviceId(), Role.NODE);
    f.pairingRequired(f.connect(alice, "operator.write"));
    DeviceExplanation d = f.service.explainDevice(alice.deviceId());
    assertTrue(d.known());
    assertFalse(d.blocked());
    assertEquals(List.of(Role.OPERATOR), d.effectiveRoles());
    assertEquals(List.of(Role.NODE), d.revokedRoles());
    assertEquals(RequestExplanation.State.PENDING, d.pending().status());
    assertEquals(List.of(Scope.OPERATOR_WRITE), d.pending().missingScopes());
    assertEquals(2, d.history().size());
    String text = d.toString();
    assertTrue(text.contains("revoked:   [node]"), text);
    assertFalse(text.contains(TokenHash.PREFIX), "no token hash");
    f.service.block(alice.deviceId());
    assertTrue(f.service.explainDevice(alice.deviceId()).blocked());
    assertEquals(Optional.empty(), Optional.ofNullable(f.service.explainDevice(alice.deviceId())
        .pending()), "block dropped the request");
  }
}
