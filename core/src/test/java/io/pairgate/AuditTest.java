package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.ConnectResult.PairingRequired;
import io.pairgate.audit.AuditEvent;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/** R14: typed audit events after commit, and the default key=value log line. */
class AuditTest {
  private final RecordingListener audit = new RecordingListener();
  private final Fixture f = new Fixture(b -> b.auditListener(audit));
  private final DeviceKeyPair alice = Fixture.key("audit-alice");
  private final String id = alice.deviceId().value();

  @Test
  void everyLifecycleStepEmitsItsEvent() {
    PairingRequired first = f.pairingRequired(f.connect(alice, "operator.read"));
    f.pairingRequired(f.connect(alice, "operator.read")); // unchanged: no event
    f.advance(Duration.ofSeconds(31));
    f.pairingRequired(f.connect(alice, "operator.read")); // refreshed
    PairingRequired wider = f.pairingRequired(f.connect(alice, "operator.write"));
    f.service.approve(wider.requestId(), Approver.admin("ops-lead"));
    f.service.approve(wider.requestId(), Approver.admin("ops-lead")); // idempotent: no event
    PairingRequired up = f.pairingRequired(f.connect(alice, "operator.admin"));
    f.service.reject(up.requestId());
    PairingRequired again = f.pairingRequired(f.connect(alice, "operator.admin"));
    f.advance(Duration.ofMinutes(6));
    PairingRequired afterExpiry = f.pairingRequired(f.connect(alice, "operator.admin"));
    f.service.rotate(alice.deviceId(), Role.OPERATOR, ScopeSet.of("operator.read"));
    f.service.revoke(alice.deviceId(), Role.OPERATOR);
    f.service.revoke(alice.deviceId(), Role.OPERATOR); // idempotent: no event
    f.service.rename(alice.deviceId(), "Alice's laptop");
    f.service.block(alice.deviceId());
    f.service.block(alice.deviceId()); // idempotent: no event
    f.rejected(f.connect(alice, "operator.read"));
    f.service.unblock(alice.deviceId());
    f.service.remove(alice.deviceId());

    assertEquals(List.of(
        "pairing-requested", "request-refreshed", "request-superseded", "pairing-requested",
        "request-approved", "upgrade-requested", "request-rejected", "upgrade-requested",
        "request-expired", "upgrade-requested", "token-rotated", "token-revoked",
        "device-renamed", "device-blocked", "connect-rejected", "device-unblocked",
        "device-removed"), audit.types());
    List<AuditEvent> e = audit.events();
    assertEquals(first.requestId(), ((AuditEvent.PairingRequested) e.get(0)).requestId());
    AuditEvent.RequestSuperseded sup = (AuditEvent.RequestSuperseded) e.get(2);
    assertEquals(first.requestId(), sup.oldRequestId());
    assertEquals(wider.requestId(), sup.newRequestId());
    AuditEvent.RequestApproved ok = (AuditEvent.RequestApproved) e.get(4);
    assertEquals("ops-lead", ok.approver());
    assertEquals("operator", ok.via());
    assertFalse(ok.silent());
    assertEquals(ScopeSet.of("operator.read", "operator.write"), ok.scopes());
    AuditEvent.UpgradeRequested upgrade = (AuditEvent.UpgradeRequested) e.get(5);
    assertEquals(UpgradeReason.SCOPE_UPGRADE, upgrade.reason());
    assertEquals(ScopeSet.of("operator.read", "operator.write"), upgrade.scopesFrom());
    assertEquals(ScopeSet.of("operator.admin", "operator.read", "operator.write"),
        upgrade.scopesTo());
    assertEquals(List.of(Scope.OPERATOR_ADMIN), upgrade.missing());
    assertEquals(List.of(Role.OPERATOR), upgrade.rolesFrom());
    assertEquals(again.requestId(), ((AuditEvent.RequestExpired) e.get(8)).requestId());
    assertEquals(afterExpiry.requestId(), ((AuditEvent.UpgradeRequested) e.get(9)).requestId());
    assertEquals(afterExpiry.requestId(), ((AuditEvent.DeviceBlocked) e.get(13)).droppedRequestId());
    assertEquals(ErrorCode.BLOCKED, ((AuditEvent.ConnectRejected) e.get(14)).code());
    for (AuditEvent ev : e) {
      assertEquals(id, ev.deviceId());
      assertEquals(f.clock.instant().truncatedTo(java.time.temporal.ChronoUnit.DAYS),
          ev.at().truncatedTo(java.time.temporal.ChronoUnit.DAYS));
    }
  }

  @Test
  void defaultListenerLogsOneStableKeyValueLinePerEvent() {
    f.pair(alice, Role.OPERATOR, "operator.read");
    f.pairingRequired(f.connect(alice, "operator.read", "operator.write"));
    List<CapturingLogs.Line> lines = CapturingLogs.containing("device=" + id);
    CapturingLogs.Line upgrade = lines.get(lines.size() - 1);
    assertEquals(Level.INFO, upgrade.level());
    assertEquals("io.pairgate.audit", upgrade.logger());
    RequestId requestId = f.service.list().pending().get(0).requestId();
    assertEquals("device access upgrade requested reason=scope-upgrade device=" + id
        + " requestId=" + requestId + " rolesFrom=[operator] rolesTo=[operator]"
        + " scopesFrom=[operator.read] scopesTo=[operator.read,operator.write]"
        + " missing=[operator.write] remoteAddress=203.0.113.7 locality=remote",
        upgrade.message());
    assertTrue(lines.get(0).message().startsWith("device pairing requested device=" + id));
    assertTrue(lines.get(1).message().startsWith("device pairing approved device=" + id));
  }

  @Test
  void valuesThatCouldBreakTheLineAreQuoted() {
    // control characters can no longer reach an event through signed fields (R16.2, issue #14):
    // the connect is rejected and its own line stays one line
    ClientInfo newline = new ClientInfo("evil\nclient=x", "cli", "macOS 14.2", "", "", "");
    f.rejected(f.service.connect(f.attempt(alice, Role.OPERATOR, List.of(), newline)));
    assertFalse(audit.events().get(0).logLine().contains("\n"));
    ClientInfo tricky = new ClientInfo("evil client=x\"", "cli", "macOS 14.2", "", "", "");
    f.pairingRequired(f.service.connect(f.attempt(alice, Role.OPERATOR, List.of(), tricky)));
    String line = audit.events().get(1).logLine();
    assertTrue(line.contains(" client=\"evil client=x\\\"\" "), line);
    assertTrue(line.endsWith(" platform=\"macOS 14.2\""), line);
    assertFalse(line.contains("\n"));
  }

  @Test
  void noSecretEverAppearsInEventsOrLogLines() {
    String first = f.pairAndCollect(alice, Role.OPERATOR, "operator.read");
    IssuedToken rotated = f.service.rotate(alice.deviceId(), Role.OPERATOR);
    f.rejected(f.service.connect(f.attempt(alice, Role.OPERATOR, List.of("operator.read"),
        Fixture.CLI, AuthMethod.DEVICE_TOKEN, first)));
    f.allowed(f.service.connect(f.attempt(alice, Role.OPERATOR, List.of("operator.read"),
        Fixture.CLI, AuthMethod.DEVICE_TOKEN, rotated.secret().value())));
    f.service.revoke(alice.deviceId(), Role.OPERATOR);
    List<String> secrets = List.of(first, rotated.secret().value());
    List<String> texts = new ArrayList<>();
    for (AuditEvent e : audit.events()) {
      texts.add(e.logLine());
      texts.add(e.toString());
    }
    CapturingLogs.lines().forEach(l -> texts.add(l.message()));
    for (String text : texts) {
      for (String secret : secrets) {
        assertFalse(text.contains(secret), text);
      }
    }
  }

  @Test
  void eventsFireOnceAndOnlyAfterTheCompareAndSetCommitted() {
    AtomicInteger casCalls = new AtomicInteger();
    InMemoryPairingStore inner = new InMemoryPairingStore();
    PairingStore flaky = new PairingStore() {
      @Override
      public Optional<DeviceRecord> load(DeviceId deviceId) {
        return inner.load(deviceId);
      }

      @Override
      public Optional<DeviceRecord> findByRequestId(RequestId requestId) {
        return inner.findByRequestId(requestId);
      }

      @Override
      public boolean compareAndSet(long expectedVersion, DeviceRecord next) {
        // every other attempt loses a (simulated) race
        return casCalls.incrementAndGet() % 2 == 0 && inner.compareAndSet(expectedVersion, next);
      }

      @Override
      public List<DeviceRecord> list(String afterDeviceId, int limit) {
        return inner.list(afterDeviceId, limit);
      }
    };
    List<String> seen = new ArrayList<>();
    VirtualClock clock = VirtualClock.at(1_700_000_000_000L);
    PairingService s = PairingService.builder(flaky).clock(clock).auditListener(ev -> {
      DeviceRecord rec = inner.load(DeviceId.parse(ev.deviceId())).orElseThrow();
      if (ev instanceof AuditEvent.PairingRequested p) {
        assertNotNull(rec.pending(), "the request is committed before the event");
        assertEquals(p.requestId(), rec.pending().requestId());
      }
      if (ev instanceof AuditEvent.RequestApproved) {
        assertNotNull(rec.paired(), "the approval is committed before the event");
      }
      seen.add(ev.type());
    }).build();
    Fixture helper = new Fixture();
    Challenge c = s.issueChallenge();
    ConnectAttempt attempt = signed(helper, c);
    PairingRequired p = helper.pairingRequired(s.connect(attempt));
    s.approve(p.requestId(), Approver.admin("op"));
    assertEquals(List.of("pairing-requested", "request-approved"), seen);
    assertEquals(4, casCalls.get(), "each change lost one race and was retried");
  }

  private ConnectAttempt signed(Fixture helper, Challenge c) {
    long at = helper.clock.millis();
    String payload = ProofPayload.v3(id, "cli", "cli", "operator", List.of(), at, "", c.nonce(),
        "linux", "");
    return ConnectAttempt.builder().role(Role.OPERATOR).auth(AuthMethod.SHARED_TOKEN, "").device(id, alice.publicKey().base64Url())
        .client(Fixture.CLI).proof(alice.sign(payload), at, c.nonce()).challenge(c).build();
  }

  @Test
  void aFailingListenerIsLoggedAndDoesNotUndoTheChange() {
    RecordingListener after = new RecordingListener();
    Fixture fx = new Fixture(b -> b.auditListener(ev -> {
      throw new IllegalStateException("listener broke");
    }).auditListener(after));
    PairingRequired p = fx.pairingRequired(fx.connect(alice, "operator.read"));
    assertTrue(fx.service.pendingRequest(p.requestId()).isPresent());
    assertEquals(List.of("pairing-requested"), after.types(), "later listeners still run");
    assertTrue(CapturingLogs.lines().stream().anyMatch(l -> l.level() == Level.WARN
        && l.message().contains("failed on a pairing-requested event")
        && l.message().contains("listener broke")));
  }

  @Test
  void loggingCanBeSwitchedOff() {
    DeviceKeyPair quiet = Fixture.key("audit-quiet");
    Fixture fx = new Fixture(b -> b.auditLogging(false));
    fx.pairingRequired(fx.connect(quiet, "operator.read"));
    assertEquals(List.of(), CapturingLogs.containing("device=" + quiet.deviceId().value()));
  }

  @Test
  void connectRejectedCarriesTheCauseAndASanitizedClaimedId() {
    Challenge c = f.service.issueChallenge();
    ConnectAttempt forged = ConnectAttempt.builder().role(Role.OPERATOR).auth(AuthMethod.SHARED_TOKEN, "").device("x\ny".repeat(20), "AAAA")
        .proof("sig", f.clock.millis(), c.nonce()).challenge(c)
        .peerAddress("198.51.100.1").headers(Map.of()).build();
    f.rejected(f.service.connect(forged));
    AuditEvent.ConnectRejected e = audit.of(AuditEvent.ConnectRejected.class).get(0);
    assertEquals(ErrorCode.INVALID_FIELD, e.code(), "a control character in a signed field");
    assertFalse(e.deviceId().contains("\n"));
    assertTrue(e.deviceId().length() <= 67, e.deviceId());
    assertEquals("198.51.100.1", e.remoteAddress());
    assertTrue(e.logLine().startsWith("device connect rejected cause=invalid-field"),
        e.logLine());
  }
}
