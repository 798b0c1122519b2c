package io.pairgate.spi;

import io.pairgate.DeviceId;
import io.pairgate.PairedDevice;
import io.pairgate.RequestId;
import io.pairgate.PendingRequest;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The unit of storage and of atomicity: everything Pairgate knows about one device. Every change
 * replaces a whole record by {@link PairingStore#compareAndSet compare-and-set} on
 * {@link #version()}, so a paired record and its pending request change together or not at all.
 *
 * @param deviceId the device
 * @param version 1 for the first stored version, incremented by every change; 0 means "not
 *     stored"
 * @param paired the approved device, if any
 * @param pending the open request, if any (possibly expired: expiry is judged by the reader's
 *     clock)
 * @param blocked whether an operator blocked the device
 * @param resolved remembered request ids that are no longer pending, oldest first
 */
public record DeviceRecord(
    DeviceId deviceId,
    long version,
    @Nullable PairedDevice paired,
    @Nullable PendingRequest pending,
    boolean blocked,
    List<ResolvedRequest> resolved) {

  /** Copies {@code resolved}; checks that nested records belong to {@code deviceId}. */
  public DeviceRecord {
    resolved = List.copyOf(resolved);
    if (version < 0) {
      throw new IllegalArgumentException("version must be >= 0: " + version);
    }
    if (paired != null && !paired.deviceId().equals(deviceId)) {
      throw new IllegalArgumentException("paired record belongs to " + paired.deviceId());
    }
    if (pending != null && !pending.deviceId().equals(deviceId)) {
      throw new IllegalArgumentException("pending request belongs to " + pending.deviceId());
    }
  }

  /** The state of a device the store does not hold: version 0, nothing in it. */
  public static DeviceRecord absent(DeviceId deviceId) {
    return new DeviceRecord(deviceId, 0, null, null, false, List.of());
  }

  /**
   * Whether the record holds nothing worth keeping. A store deletes a device whose new record is
   * empty instead of storing it.
   */
  public boolean isEmpty() {
    return paired == null && pending == null && !blocked && resolved.isEmpty();
  }

  /** Whether {@code requestId} is this record's pending id or one of its remembered ids. */
  public boolean knowsRequest(RequestId requestId) {
    if (pending != null && pending.requestId().equals(requestId)) {
      return true;
    }
    for (ResolvedRequest r : resolved) {
      if (r.requestId().equals(requestId)) {
        return true;
      }
    }
    return false;
  }

  /** Every request id this record holds: the pending one first, then the remembered ones. */
  public List<RequestId> requestIds() {
    int n = resolved.size() + (pending == null ? 0 : 1);
    RequestId[] ids = new RequestId[n];
    int i = 0;
    if (pending != null) {
      ids[i++] = pending.requestId();
    }
    for (ResolvedRequest r : resolved) {
      ids[i++] = r.requestId();
    }
    return List.of(ids);
  }
}
