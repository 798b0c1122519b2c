package io.pairgate.store.json;

import io.pairgate.RequestId;
import io.pairgate.PendingRequest;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PendingCount;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import org.jspecify.annotations.Nullable;

/**
 * What the store keeps in memory for every device without reading its file: the sorted set of
 * device ids (for listing), the request-id index (for {@code findByRequestId}) and the expiry and
 * address of every pending request (for {@code countPending}). Built by a scan
 * and kept current by the change journal; mutated only under the store's sync lock (or by one
 * scan thread per device).
 */
final class Index {
  final ConcurrentSkipListSet<String> deviceIds = new ConcurrentSkipListSet<>();
  final ConcurrentHashMap<String, String> deviceByRequest = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, List<String>> requestsByDevice = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Pending> pendingByDevice = new ConcurrentHashMap<>();

  /**
   * What {@code countPending} needs of a pending request.
   *
   * @param expiresAt when it expires ({@link Instant#MAX} if the file did not say)
   * @param remoteAddress its client address, or empty
   */
  record Pending(Instant expiresAt, String remoteAddress) {
    static @Nullable Pending of(@Nullable PendingRequest p) {
      return p == null ? null : new Pending(p.expiresAt(), p.remoteAddress());
    }
  }

  /** Records {@code r} (or that {@code deviceId} has no record when null). */
  void put(String deviceId, @Nullable DeviceRecord r) {
    put(deviceId, r != null,
        r == null ? List.of() : r.requestIds().stream().map(RequestId::value).toList(),
        r == null ? null : Pending.of(r.pending()));
  }

  /** Records whether {@code deviceId} has a record, its request ids and its pending request. */
  void put(String deviceId, boolean exists, List<String> requestIds, @Nullable Pending pending) {
    if (exists && pending != null) {
      pendingByDevice.put(deviceId, pending);
    } else {
      pendingByDevice.remove(deviceId);
    }
    List<String> now = exists ? requestIds : List.of();
    List<String> old = now.isEmpty()
        ? requestsByDevice.remove(deviceId)
        : requestsByDevice.put(deviceId, now);
    if (old != null) {
      for (String o : old) {
        if (!now.contains(o)) {
          deviceByRequest.remove(o, deviceId);
        }
      }
    }
    for (String n : now) {
      deviceByRequest.put(n, deviceId);
    }
    if (!exists) {
      deviceIds.remove(deviceId);
    } else {
      deviceIds.add(deviceId);
    }
  }

  /** Counts unexpired pending requests, in total and from {@code remoteAddress}. */
  PendingCount countPending(String remoteAddress, Instant now) {
    int total = 0;
    int fromAddress = 0;
    for (Pending p : pendingByDevice.values()) {
      if (now.isBefore(p.expiresAt())) {
        total++;
        if (!remoteAddress.isEmpty() && remoteAddress.equals(p.remoteAddress())) {
          fromAddress++;
        }
      }
    }
    return new PendingCount(total, fromAddress);
  }

  /** Counts unexpired pending requests, in total and from addresses inside {@code range}. */
  PendingCount countPending(io.pairgate.policy.IpRange range, Instant now) {
    int total = 0;
    int inRange = 0;
    for (Pending p : pendingByDevice.values()) {
      if (now.isBefore(p.expiresAt())) {
        total++;
        if (PendingCount.inRange(range, p.remoteAddress())) {
          inRange++;
        }
      }
    }
    return new PendingCount(total, inRange);
  }
}
