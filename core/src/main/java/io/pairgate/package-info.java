/**
 * Pairgate's public API: the device model, the {@link io.pairgate.ScopePolicy scope implication
 * relation}, connect proofs and the {@link io.pairgate.PairingService} that decides who may
 * connect and carries out operator actions.
 *
 * <p>Start with {@link io.pairgate.PairingService#builder(io.pairgate.spi.PairingStore)}.
 */
@NullMarked
package io.pairgate;

import org.jspecify.annotations.NullMarked;
