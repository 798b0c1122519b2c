package io.pairgate.spi;

import io.pairgate.DeviceId;
import io.pairgate.PendingRequest;
import io.pairgate.RequestId;
import io.pairgate.Role;
import io.pairgate.StoreException;
import io.pairgate.policy.IpRange;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Where a {@link io.pairgate.PairingService} keeps its state: one {@link DeviceRecord} per device.
 * The contract is small on purpose:
 *
 * <ul>
 *   <li>{@link #load} and {@link #findByRequestId} read the latest committed record;
 *   <li>{@link #compareAndSet} is the only way to change a record, and it is atomic and durable
 *       (when it returns {@code true} the change survives a crash, to the store's stated
 *       guarantee);
 *   <li>{@link #touch} records access times on a best-effort basis, outside the versioning.
 * </ul>
 *
 * <p>Implementations must be thread-safe. Failures are {@link StoreException}s; a store never
 * treats unreadable data as absent. The {@code pairgate-testkit} module's
 * {@code PairingStoreContract} checks an implementation against this contract.
 */
public interface PairingStore extends AutoCloseable {

  /** The latest committed record of {@code deviceId}, if the store holds one. */
  Optional<DeviceRecord> load(DeviceId deviceId);

  /**
   * The record whose pending request or remembered (resolved) request has this id. Ids are random
   * UUIDs, so at most one record matches.
   */
  Optional<DeviceRecord> findByRequestId(RequestId requestId);

  /**
   * Replaces the record of {@code next.deviceId()} if its current version equals
   * {@code expectedVersion} (0: the store holds no record for the device).
   *
   * <p>{@code next.version()} is {@code expectedVersion + 1}. If {@code next.isEmpty()} the store
   * deletes the device's record instead of writing it.
   *
   * @return {@code true} if the change was committed, {@code false} if the current version
   *     differs (nothing was changed)
   * @throws StoreException if the outcome is unknown or the store failed; the change may then be
   *     retried, as the version check makes a retry safe
   * @throws IllegalArgumentException if {@code next.version() != expectedVersion + 1} (a bug in
   *     the caller, not a store condition)
   */
  boolean compareAndSet(long expectedVersion, DeviceRecord next);

  /**
   * Up to {@code limit} records ordered by device id, starting after {@code afterDeviceId}
   * (exclusive; the empty string starts at the beginning). Page through a store by passing the
   * last id of one page as {@code afterDeviceId} of the next.
   */
  List<DeviceRecord> list(String afterDeviceId, int limit);

  /**
   * Best effort: records that the device was seen at {@code at} and used its {@code role} token
   * (sets {@code lastSeenAt} and the token's {@code lastUsedAt} when later than the stored
   * values, as {@link DeviceRecord#withAccessTimes} merges them). It does not change the record's
   * version, may be coalesced or delayed, and may be lost on a crash; it must never lose or undo a committed {@link #compareAndSet}. The default
   * does nothing.
   */
  default void touch(DeviceId deviceId, Role role, Instant at) {}

  /**
   * Counts the pending requests that are unexpired at {@code now} ({@code now} is before their
   * {@code expiresAt}): all of them, and those whose {@code remoteAddress} equals
   * {@code remoteAddress} (none when it is empty). The service calls this only when a connect would
   * create a new request, to enforce {@code maxPending} and {@code maxPendingPerAddress}.
   *
   * <p>The default pages through {@link #list} and is therefore linear in the number of devices;
   * a store with an index or a query language should override it (for example with a
   * {@code COUNT} over pending rows). The count may be slightly stale under concurrent writes.
   */
  default PendingCount countPending(String remoteAddress, Instant now) {
    return countPendingScanning(
        now, from -> !remoteAddress.isEmpty() && remoteAddress.equals(from));
  }

  /**
   * As {@link #countPending(String, Instant)}, but {@link PendingCount#fromAddress()} counts the
   * unexpired pending requests whose {@code remoteAddress} is an IP address inside {@code range}
   * (the service asks this for IPv6 clients, counted per /64 by default). The default pages through
   * {@link #list}; a store with an index should override it. The count may be slightly stale
   * under concurrent writes.
   */
  default PendingCount countPending(IpRange range, Instant now) {
    return countPendingScanning(now, from -> PendingCount.inRange(range, from));
  }

  /**
   * The scanning count of both defaults: every unexpired pending request, and those whose
   * {@code remoteAddress} {@code fromAddress} accepts.
   */
  private PendingCount countPendingScanning(Instant now, Predicate<String> fromAddress) {
    int total = 0;
    int matching = 0;
    String after = "";
    while (true) {
      List<DeviceRecord> page = list(after, 500);
      for (DeviceRecord r : page) {
        PendingRequest p = r.pending();
        if (p != null && !p.isExpired(now)) {
          total++;
          if (fromAddress.test(p.remoteAddress())) {
            matching++;
          }
        }
      }
      if (page.size() < 500) {
        return new PendingCount(total, matching);
      }
      after = page.get(page.size() - 1).deviceId().value();
    }
  }

  /**
   * Subscribes to changes of device records committed by <em>any</em> process or instance using
   * the same storage, so that a gateway can act at once on a revocation, removal or block made
   * elsewhere (for example, close that device's live connections). Delivery is best effort and
   * at least once per commit while the subscription is healthy; after a gap the listener's
   * {@link ChangeListener#missed()} is called. Decisions never depend on notifications: every
   * decision reads the store.
   *
   * @return the subscription, or empty if this store cannot observe other processes' changes
   *     (the default)
   */
  default Optional<ChangeSubscription> subscribe(ChangeListener listener) {
    return Optional.empty();
  }

  /** Releases resources (files, connections, listener threads). The default does nothing. */
  @Override
  default void close() {}
}
