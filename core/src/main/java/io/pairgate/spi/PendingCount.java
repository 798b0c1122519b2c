package io.pairgate.spi;

import io.pairgate.policy.IpAddress;
import io.pairgate.policy.IpRange;

/**
 * How many unexpired pending requests a store holds, for the request flood limits (R12 of
 * {@code docs/semantics.md}). See {@link PairingStore#countPending}.
 *
 * @param total unexpired pending requests of all devices
 * @param fromAddress those whose {@link io.pairgate.PendingRequest#remoteAddress()} equals the
 *     address asked about (0 when that address is empty), or lies in the range asked about
 */
public record PendingCount(int total, int fromAddress) {

  /**
   * Whether a stored {@code remoteAddress} is an IP address inside {@code range}; for stores
   * implementing {@link PairingStore#countPending(IpRange, java.time.Instant)}.
   */
  public static boolean inRange(IpRange range, String remoteAddress) {
    if (remoteAddress.isEmpty()) {
      return false;
    }
    return IpAddress.tryParse(remoteAddress).map(range::contains).orElse(false);
  }
}
