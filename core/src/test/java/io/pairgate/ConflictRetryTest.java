package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.pairgate.audit.AuditEvent;
import io.pairgate.policy.IpRange;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.PendingCount;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * R9, R12: a lost compare-and-set reloads the record and decides again; the pending requests are
 * counted once per connect, however often the write is retried, and events fire once.
 */
class ConflictRetryTest {
  private final VirtualClock clock = VirtualClock.at(1_700_000_000_000L);
  private final RecordingListener audit = new RecordingListener();
  private final DeviceKeyPair alice = Fixture.key("conflict-alice");

  /** An in-memory store whose next compare-and-sets are lost, each after {@code racer} ran. */
  private static final class LosingStore implements PairingStore {
    final InMemoryPairingStore inner = new InMemoryPairingStore();
    int losses;
    int casCalls;
    int countCalls;
    Consumer<DeviceRecord> racer = rec -> {};

    @Override
    public Optional<DeviceRecord> load(io.pairgate.DeviceId deviceId) {
      return inner.load(deviceId);
    }

    @Override
    public Optional<DeviceRecord> findByRequestId(RequestId requestId) {
      return inner.findByRequestId(requestId);
    }

    @Override
    public boolean compareAndSet(long expectedVersion, DeviceRecord next) {
      casCalls++;
      if (losses > 0) {
        losses--;
        racer.accept(next); // a concurrent writer gets there first
        return false;
      }
      return inner.compareAndSet(expectedVersion, next);
    }

    @Override
    public List<DeviceRecord> list(String afterDeviceId, int limit) {
      return inner.list(afterDeviceId, limit);
    }

    @Override
    public PendingCount countPending(String remoteAddress, Instant now) {
      countCalls++;
      return inner.countPending(remoteAddress, now);
    }

    @Override
    public PendingCount countPending(IpRange range, Instant now) {
      countCalls++;
      return inner.countPending(range, now);
    }
  }

  private PairingService service(PairingStore store) {
    return PairingService.builder(store).clock(clock).auditListener(audit).build();
  }

  private ConnectAttempt attempt(PairingService service) {
    Challenge c = service.issueChallenge();
    long signedAt = clock.millis();
    List<String> scopes = List.of("operator.read");
    ClientInfo client = Fixture.CLI;
    String payload = ProofPayload.v3(alice.deviceId().value(), client.clientId(),
        client.clientMode(), "operator", scopes, signedAt, "", c.nonce(), client.platform(),
        client.deviceFamily());
    return ConnectAttempt.builder()
        .device(alice.deviceId().value(), alice.publicKey().base64Url())
        .role(Role.OPERATOR)
        .scopes(scopes)
        .client(client)
        .proof(alice.sign(payload), signedAt, c.nonce())
        .challenge(c)
        .auth(AuthMethod.SHARED_TOKEN, "")
        .peerAddress("203.0.113.7")
        .build();
  }

  @Test
  void lostWritesAreRetriedWithOnePendingCount() {
    LosingStore store = new LosingStore();
    store.losses = 3;
    PairingService service = service(store);
    ConnectResult r = service.connect(attempt(service));
    ConnectResult.PairingRequired p = assertInstanceOf(ConnectResult.PairingRequired.class, r);
    assertEquals(ConnectResult.RequestChange.CREATED, p.requestChange());
    assertEquals(4, store.casCalls, "three lost writes, then one that commits");
    assertEquals(1, store.countCalls, "the flood limit counts once per connect, not per retry");
    assertEquals(List.of("pairing-requested"), audit.types(), "events fire once, after the commit");
    assertEquals(p.requestId(), service.pendingRequestOf(alice.deviceId()).orElseThrow().requestId());
  }

  @Test
  void aConflictingChangeIsSeenByTheRecomputedDecision() {
    LosingStore store = new LosingStore();
    store.losses = 1;
    // the racer blocks the device between this connect's read and its write
    store.racer = next -> store.inner.compareAndSet(next.version() - 1, new DeviceRecord(
        next.deviceId(), next.version(), null, null, true, List.of()));
    PairingService service = service(store);
    ConnectResult r = service.connect(attempt(service));
    ConnectResult.Rejected j = assertInstanceOf(ConnectResult.Rejected.class, r);
    assertEquals(ErrorCode.BLOCKED, j.code(), "decided again on the reloaded record");
    assertEquals(1, store.casCalls, "one lost write; the rejection on the retry writes nothing");
    assertEquals(List.of("connect-rejected"), audit.types(),
        "no event of the lost write is fired");
    assertEquals(Optional.empty(), service.pendingRequestOf(alice.deviceId()));
  }
}
