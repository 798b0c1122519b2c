package io.pairgate.store.jdbc;

import io.pairgate.RequestId;
import io.pairgate.DeviceId;
import io.pairgate.Role;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A {@link JdbcPairingStore} together with the data source it owns: closing the handle closes the
 * store (which flushes buffered touches) and then the data source, as a process shutting down
 * would. {@link #storage} identifies the database so that tests can open it again.
 */
final class StoreHandle implements PairingStore {
  final JdbcPairingStore store;
  final Object storage;
  private final Runnable closeDataSource;

  StoreHandle(JdbcPairingStore store, Object storage, Runnable closeDataSource) {
    this.store = store;
    this.storage = storage;
    this.closeDataSource = closeDataSource;
  }

  @Override
  public Optional<DeviceRecord> load(DeviceId deviceId) {
    return store.load(deviceId);
  }

  @Override
  public Optional<DeviceRecord> findByRequestId(RequestId requestId) {
    return store.findByRequestId(requestId);
  }

  @Override
  public boolean compareAndSet(long expectedVersion, DeviceRecord next) {
    return store.compareAndSet(expectedVersion, next);
  }

  @Override
  public List<DeviceRecord> list(String afterDeviceId, int limit) {
    return store.list(afterDeviceId, limit);
  }

  /** Forwarded, so that the contract checks the store's indexed count, not the SPI default. */
  @Override
  public io.pairgate.spi.PendingCount countPending(String remoteAddress, Instant now) {
    return store.countPending(remoteAddress, now);
  }

  /** Forwarded, so that the contract checks the store's indexed count, not the SPI default. */
  @Override
  public io.pairgate.spi.PendingCount countPending(io.pairgate.policy.IpRange range, Instant now) {
    return store.countPending(range, now);
  }

  @Override
  public void touch(DeviceId deviceId, Role role, Instant at) {
    store.touch(deviceId, role, at);
  }

  @Override
  public void close() {
    try {
      store.close();
    } finally {
      closeDataSource.run();
    }
  }
}
