package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.ConnectResult.PairingRequired;
import io.pairgate.ConnectResult.RequestChange;
import io.pairgate.audit.AuditEvent;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.PendingCount;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** R12: request flood limits and the reconnect-storm bound. */
class FloodLimitTest {
  private final RecordingListener audit = new RecordingListener();

  private static ConnectResult from(Fixture f, DeviceKeyPair key, String peer, String... scopes) {
    return f.service.connect(f.attempt(key, Role.OPERATOR, List.of(scopes), Fixture.CLI,
        AuthMethod.SHARED_TOKEN, "", peer, Map.of()));
  }

  @Test
  void globalLimitRejectsANewRequestWithoutWriting() {
    Fixture f = new Fixture(b -> b.maxPending(3).auditListener(audit));
    for (int i = 0; i < 3; i++) {
      f.pairingRequired(from(f, Fixture.key("d" + i), "198.51.100." + i, "operator.read"));
    }
    DeviceKeyPair late = Fixture.key("late");
    ConnectResult.Rejected r = f.rejected(from(f, late, "198.51.100.9", "operator.read"));
    assertEquals(ErrorCode.TOO_MANY_PENDING, r.code());
    assertTrue(r.message().contains("maxPending=3"), r.message());
    assertEquals(Optional.empty(), f.store.load(late.deviceId()), "nothing written");
    assertEquals(3, f.service.list().pending().size());
    AuditEvent.ConnectRejected e = audit.of(AuditEvent.ConnectRejected.class).get(0);
    assertEquals(ErrorCode.TOO_MANY_PENDING, e.code());
    assertEquals("198.51.100.9", e.remoteAddress());
  }

  @Test
  void refreshAndSupersedeOfTheDevicesOwnRequestAreNeverLimited() {
    Fixture f = new Fixture(b -> b.maxPending(1).maxPendingPerAddress(1));
    DeviceKeyPair a = Fixture.key("a");
    PairingRequired first = f.pairingRequired(from(f, a, "198.51.100.1", "operator.read"));
    f.advance(Duration.ofSeconds(31));
    assertEquals(RequestChange.REFRESHED,
        f.pairingRequired(from(f, a, "198.51.100.1", "operator.read")).requestChange());
    PairingRequired wider = f.pairingRequired(from(f, a, "198.51.100.1", "operator.write"));
    assertEquals(RequestChange.SUPERSEDED, wider.requestChange());
    assertTrue(!wider.requestId().equals(first.requestId()));
    assertEquals(ErrorCode.TOO_MANY_PENDING,
        f.rejected(from(f, Fixture.key("b"), "198.51.100.2", "operator.read")).code());
  }

  @Test
  void perAddressLimitCountsOnlyThatAddress() {
    Fixture f = new Fixture(b -> b.maxPendingPerAddress(2));
    f.pairingRequired(from(f, Fixture.key("a"), "198.51.100.1", "operator.read"));
    f.pairingRequired(from(f, Fixture.key("b"), "[::ffff:198.51.100.1]:5555", "operator.read"));
    DeviceKeyPair c = Fixture.key("c");
    ConnectResult.Rejected r = f.rejected(from(f, c, "198.51.100.1", "operator.read"));
    assertEquals(ErrorCode.TOO_MANY_PENDING, r.code());
    assertTrue(r.message().contains("from 198.51.100.1"), r.message());
    assertEquals(Optional.empty(), f.store.load(c.deviceId()));
    f.pairingRequired(from(f, c, "198.51.100.2", "operator.read"));
  }

  @Test
  void expiredRequestsDoNotCountAndApprovalFreesASlot() {
    Fixture f = new Fixture(b -> b.maxPending(1));
    PairingRequired p = f.pairingRequired(from(f, Fixture.key("a"), "198.51.100.1"));
    f.rejected(from(f, Fixture.key("b"), "198.51.100.2"));
    f.service.approve(p.requestId(), Approver.admin("op"));
    f.pairingRequired(from(f, Fixture.key("b"), "198.51.100.2"));
    f.advance(Duration.ofMinutes(5));
    f.pairingRequired(from(f, Fixture.key("c"), "198.51.100.3"));
  }

  @Test
  void automaticApprovalIsNotLimited() {
    Fixture f = new Fixture(b -> b.maxPending(1).pairingRequired(false));
    f.allowed(from(f, Fixture.key("a"), "198.51.100.1", "operator.read"));
    f.allowed(from(f, Fixture.key("b"), "198.51.100.1", "operator.read"));
  }

  @Test
  @Tag("slow") // left out of mutation runs (core/pom.xml, profile mutation)
  void reconnectStormYieldsOnePendingRequestAndBoundedEvents() {
    Fixture f = new Fixture(b -> b.auditListener(audit));
    DeviceKeyPair stormy = Fixture.key("stormy");
    Set<RequestId> ids = new HashSet<>();
    Duration lastRetry = Duration.ZERO;
    Duration period = Duration.ofMinutes(10);
    long connects = period.toMillis() / 100;
    for (long i = 0; i < connects; i++) {
      PairingRequired p = f.pairingRequired(from(f, stormy, "198.51.100.1", "operator.read"));
      ids.add(p.requestId());
      assertTrue(p.retryAfter().compareTo(lastRetry) >= 0, "retryAfter never shrinks");
      lastRetry = p.retryAfter();
      f.advance(Duration.ofMillis(100));
    }
    assertEquals(1, ids.size(), "one request id for the whole storm");
    assertEquals(1, f.service.list().pending().size());
    // R12.2: at most 1 + floor(T / (pendingTtl / 10)) events and writes
    long bound = 1 + period.toMillis() / Duration.ofMinutes(5).dividedBy(10).toMillis();
    assertEquals(21, bound);
    List<AuditEvent> events = audit.events();
    assertTrue(events.size() <= bound, events.size() + " events");
    assertEquals("pairing-requested", events.get(0).type());
    assertTrue(events.stream().skip(1).allMatch(e -> e.type().equals("request-refreshed")));
    long version = f.store.load(stormy.deviceId()).map(DeviceRecord::version).orElseThrow();
    assertTrue(version <= bound, version + " writes");
    assertEquals(Duration.ofSeconds(30), lastRetry, "retryAfter grew to its ceiling");
  }

  @Test
  void defaultCountPendingScansAndMatchesTheInMemoryIndex() {
    Fixture f = new Fixture();
    f.pairingRequired(from(f, Fixture.key("a"), "198.51.100.1"));
    f.pairingRequired(from(f, Fixture.key("b"), "198.51.100.1"));
    f.pairingRequired(from(f, Fixture.key("c"), "198.51.100.2"));
    f.pair(Fixture.key("d"), Role.OPERATOR);
    PairingStore scanning = new PairingStore() {
      @Override
      public Optional<DeviceRecord> load(DeviceId deviceId) {
        return f.store.load(deviceId);
      }

      @Override
      public Optional<DeviceRecord> findByRequestId(RequestId requestId) {
        return f.store.findByRequestId(requestId);
      }

      @Override
      public boolean compareAndSet(long expectedVersion, DeviceRecord next) {
        return f.store.compareAndSet(expectedVersion, next);
      }

      @Override
      public List<DeviceRecord> list(String afterDeviceId, int limit) {
        return f.store.list(afterDeviceId, limit);
      }
    };
    for (String addr : List.of("198.51.100.1", "198.51.100.2", "", "203.0.113.7")) {
      PendingCount expected = f.store.countPending(addr, f.clock.instant());
      assertEquals(expected, scanning.countPending(addr, f.clock.instant()), addr);
    }
    assertEquals(new PendingCount(3, 2), f.store.countPending("198.51.100.1", f.clock.instant()));
    assertEquals(new PendingCount(0, 0),
        f.store.countPending("198.51.100.1", f.clock.instant().plus(Duration.ofMinutes(5))));
  }
}
