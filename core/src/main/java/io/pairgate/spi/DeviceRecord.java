package io.pairgate.spi;

import io.pairgate.DeviceId;
import io.pairgate.DeviceToken;
import io.pairgate.PairedDevice;
import io.pairgate.RequestId;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  /**
   * This record with a connect's access times merged in: the one "touch merge" every store applies
   * for {@link PairingStore#touch}. {@link PairedDevice#lastSeenAt()} becomes {@code seenAt} (its
   * reason {@link PairedDevice#SEEN_ON_CONNECT}) and the token of each role in {@code usedAt} gets
   * that role's instant as {@link DeviceToken#lastUsedAt()}, each only where the new instant is
   * later than the stored one (access times move forward only; a role without a token is
   * skipped). The version and everything else stay as they are.
   *
   * @param seenAt the latest connect to merge in
   * @param usedAt per role, the latest token use to merge in
   * @return the merged record, or this very record when nothing changes (not paired, or no time
   *     is later than the stored one)
   */
  public DeviceRecord withAccessTimes(Instant seenAt, Map<Role, Instant> usedAt) {
    if (paired == null) {
      return this;
    }
    PairedDevice next = paired;
    if (paired.lastSeenAt() == null || paired.lastSeenAt().isBefore(seenAt)) {
      next = next.withLastSeenAt(seenAt);
    }
    Map<Role, DeviceToken> tokens = null;
    for (Map.Entry<Role, Instant> e : usedAt.entrySet()) {
      DeviceToken t = paired.token(e.getKey());
      if (t != null && (t.lastUsedAt() == null || t.lastUsedAt().isBefore(e.getValue()))) {
        if (tokens == null) {
          tokens = new HashMap<>(paired.tokens());
        }
        tokens.put(e.getKey(), t.withLastUsedAt(e.getValue()));
      }
    }
    if (tokens != null) {
      next = next.withTokens(tokens);
    }
    return next == paired
        ? this
        : new DeviceRecord(deviceId, version, next, pending, blocked, resolved);
  }
}
