package io.pairgate.spi;

/**
 * How many unexpired pending requests a store holds, for the request flood limits (R12 of
 * {@code docs/semantics.md}). See {@link PairingStore#countPending}.
 *
 * @param total unexpired pending requests of all devices
 * @param fromAddress those whose {@link io.pairgate.PendingRequest#remoteAddress()} equals the
 *     address asked about (0 when that address is empty)
 */
public record PendingCount(int total, int fromAddress) {}
