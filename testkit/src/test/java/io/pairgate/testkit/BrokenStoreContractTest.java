package io.pairgate.testkit;

import io.pairgate.RequestId;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pairgate.DeviceId;
import io.pairgate.InMemoryPairingStore;
import io.pairgate.Role;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The contract catches stores that break the SPI (it would be worthless if they passed). */
class BrokenStoreContractTest {

  /** Last write wins: compareAndSet ignores the expected version. */
  static final class LastWriteWins implements PairingStore {
    final Map<DeviceId, DeviceRecord> m = new ConcurrentHashMap<>();

    @Override
    public Optional<DeviceRecord> load(DeviceId id) {
      return Optional.ofNullable(m.get(id));
    }

    @Override
    public Optional<DeviceRecord> findByRequestId(RequestId rid) {
      return m.values().stream().filter(r -> r.knowsRequest(rid)).findFirst();
    }

    @Override
    public boolean compareAndSet(long expected, DeviceRecord next) {
      if (next.isEmpty()) {
        m.remove(next.deviceId());
      } else {
        m.put(next.deviceId(), next);
      }
      return true;
    }

    @Override
    public List<DeviceRecord> list(String after, int limit) {
      return m.values().stream().filter(r -> r.deviceId().value().compareTo(after) > 0)
          .sorted((a, b) -> a.deviceId().compareTo(b.deviceId())).limit(limit).toList();
    }
  }

  /** Only finds pending ids, not remembered ones. */
  static final class PendingOnlyLookup extends Delegating {
    @Override
    public Optional<DeviceRecord> findByRequestId(RequestId rid) {
      return super.findByRequestId(rid).filter(r -> r.pending() != null
          && r.pending().requestId().equals(rid));
    }
  }

  /** A correct store: delegates to the in-memory store. */
  static class Delegating implements PairingStore {
    final InMemoryPairingStore inner = new InMemoryPairingStore();

    @Override
    public Optional<DeviceRecord> load(DeviceId id) {
      return inner.load(id);
    }

    @Override
    public Optional<DeviceRecord> findByRequestId(RequestId rid) {
      return inner.findByRequestId(rid);
    }

    @Override
    public boolean compareAndSet(long expected, DeviceRecord next) {
      return inner.compareAndSet(expected, next);
    }

    @Override
    public List<DeviceRecord> list(String after, int limit) {
      return inner.list(after, limit);
    }
  }

  /** touch writes a stale snapshot back (undoing concurrent compare-and-sets). */
  static final class StaleTouch extends Delegating {
    @Override
    public void touch(DeviceId id, Role role, Instant at) {
      Optional<DeviceRecord> before = inner.load(id);
      Thread.yield();
      before.ifPresent(r -> {
        DeviceRecord now = inner.load(id).orElse(r);
        inner.compareAndSet(now.version(), new DeviceRecord(r.deviceId(), now.version() + 1,
            r.paired(), r.pending(), r.blocked(), r.resolved()));
      });
    }
  }

  private static PairingStoreContract contractFor(java.util.function.Supplier<PairingStore> s) {
    return s::get;
  }

  @Test
  void lastWriteWinsStore_failsTheStaleVersionRule() {
    PairingStoreContract c = contractFor(LastWriteWins::new);
    assertThrows(AssertionError.class, c::compareAndSet_staleVersion_returnsFalseAndChangesNothing);
  }

  @Test
  void storeThatForgetsTombstones_failsTheRequestIdRule() {
    PairingStoreContract c = contractFor(PendingOnlyLookup::new);
    assertThrows(AssertionError.class, c::findByRequestId_resolvedIds_findRecordAtLatestVersion);
  }

  @Test
  void storeWhoseTouchBumpsTheVersion_failsTheTouchRules() {
    PairingStoreContract c = contractFor(StaleTouch::new);
    assertThrows(AssertionError.class, c::touch_neverBumpsVersion);
  }
}
