package io.pairgate;

import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.PendingCount;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * A {@link PairingStore} in memory: for tests, demos and gateways that re-pair after a restart.
 * Nothing survives the JVM. Reads are lock-free; writes to one device are serialized by a striped
 * lock, so compare-and-set is atomic and request-id lookups always see the committed record.
 * {@link #load} is a hash lookup; a sorted set of the ids serves only the ordered {@link #list}.
 */
public final class InMemoryPairingStore implements PairingStore {
  private static final int STRIPES = 64;
  /** Every record by device id: what {@link #load} reads. */
  private final ConcurrentHashMap<String, DeviceRecord> records = new ConcurrentHashMap<>();
  /** The same ids, sorted, for {@link #list}; changed together with {@link #records}. */
  private final ConcurrentSkipListSet<String> sortedIds = new ConcurrentSkipListSet<>();
  private final ConcurrentHashMap<RequestId, DeviceId> byRequestId = new ConcurrentHashMap<>();
  /** Every stored pending request (expired or not), by device id, for {@link #countPending}. */
  private final ConcurrentHashMap<String, PendingRequest> pendingByDevice =
      new ConcurrentHashMap<>();
  private final Object[] locks = new Object[STRIPES];

  /** An empty store. */
  public InMemoryPairingStore() {
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  private Object lockFor(DeviceId id) {
    return locks[(id.value().hashCode() & 0x7fffffff) % STRIPES];
  }

  @Override
  public Optional<DeviceRecord> load(DeviceId deviceId) {
    return Optional.ofNullable(records.get(deviceId.value()));
  }

  @Override
  public Optional<DeviceRecord> findByRequestId(RequestId requestId) {
    DeviceId id = byRequestId.get(requestId);
    if (id == null) {
      return Optional.empty();
    }
    DeviceRecord rec = records.get(id.value());
    return rec != null && rec.knowsRequest(requestId) ? Optional.of(rec) : Optional.empty();
  }

  @Override
  public boolean compareAndSet(long expectedVersion, DeviceRecord next) {
    if (next.version() != expectedVersion + 1) {
      throw new IllegalArgumentException(
          "next.version must be expectedVersion + 1: " + next.version() + " vs " + expectedVersion);
    }
    DeviceId id = next.deviceId();
    synchronized (lockFor(id)) {
      DeviceRecord current = records.get(id.value());
      long currentVersion = current == null ? 0 : current.version();
      if (currentVersion != expectedVersion) {
        return false;
      }
      if (next.isEmpty()) {
        records.remove(id.value());
        sortedIds.remove(id.value());
      } else {
        if (records.put(id.value(), next) == null) {
          sortedIds.add(id.value());
        }
      }
      if (next.pending() == null || next.isEmpty()) {
        pendingByDevice.remove(id.value());
      } else {
        pendingByDevice.put(id.value(), next.pending());
      }
      List<RequestId> newIds = next.isEmpty() ? List.of() : next.requestIds();
      for (RequestId rid : newIds) {
        byRequestId.put(rid, id);
      }
      if (current != null) {
        for (RequestId rid : current.requestIds()) {
          if (!newIds.contains(rid)) {
            byRequestId.remove(rid, id);
          }
        }
      }
      return true;
    }
  }

  @Override
  public List<DeviceRecord> list(String afterDeviceId, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1: " + limit);
    }
    List<DeviceRecord> out = new ArrayList<>(Math.min(limit, 1024));
    for (String id : sortedIds.tailSet(afterDeviceId, false)) {
      if (out.size() == limit) {
        break;
      }
      DeviceRecord r = records.get(id);
      if (r != null) { // (removed since the id was read)
        out.add(r);
      }
    }
    return out;
  }

  @Override
  public void touch(DeviceId deviceId, Role role, Instant at) {
    synchronized (lockFor(deviceId)) {
      DeviceRecord current = records.get(deviceId.value());
      if (current == null) {
        return;
      }
      DeviceRecord next = current.withAccessTimes(at, Map.of(role, at));
      if (next != current) {
        records.put(deviceId.value(), next);
      }
    }
  }

  /** Counts by scanning only the stored pending requests, not every device. */
  @Override
  public PendingCount countPending(String remoteAddress, Instant now) {
    int total = 0;
    int fromAddress = 0;
    for (PendingRequest p : pendingByDevice.values()) {
      if (!p.isExpired(now)) {
        total++;
        if (!remoteAddress.isEmpty() && remoteAddress.equals(p.remoteAddress())) {
          fromAddress++;
        }
      }
    }
    return new PendingCount(total, fromAddress);
  }

  /** Counts by scanning only the stored pending requests, not every device. */
  @Override
  public PendingCount countPending(io.pairgate.policy.IpRange range, Instant now) {
    int total = 0;
    int inRange = 0;
    for (PendingRequest p : pendingByDevice.values()) {
      if (!p.isExpired(now)) {
        total++;
        if (PendingCount.inRange(range, p.remoteAddress())) {
          inRange++;
        }
      }
    }
    return new PendingCount(total, inRange);
  }

  /** The number of devices held. */
  public int size() {
    return records.size();
  }
}
