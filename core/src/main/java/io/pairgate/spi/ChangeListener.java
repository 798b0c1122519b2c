package io.pairgate.spi;

import io.pairgate.DeviceId;

/**
 * Hears about committed changes to device records, including those made by other processes
 * sharing the store (see {@link PairingStore#subscribe}). Called on a store thread: be quick and
 * hand real work to your own executor. Notifications say only <em>which</em> device changed; load
 * the record to see how.
 */
public interface ChangeListener {
  /** The record of {@code deviceId} changed (or was deleted). */
  void changed(DeviceId deviceId);

  /**
   * Notifications may have been lost (for example while the store reconnected its listening
   * connection): re-check whatever state you derive from the store. The default does nothing.
   */
  default void missed() {}
}
