package io.pairgate;

import java.util.List;

/**
 * Everything an operator reviews: open requests, paired devices (without secrets) and blocked
 * device ids, each sorted by device id.
 *
 * @param pending requests that can still be approved
 * @param paired paired devices
 * @param blocked blocked devices
 */
public record PairingListing(
    List<PendingRequest> pending, List<PairedDeviceSummary> paired, List<DeviceId> blocked) {

  /** Copies the lists. */
  public PairingListing {
    pending = List.copyOf(pending);
    paired = List.copyOf(paired);
    blocked = List.copyOf(blocked);
  }
}
