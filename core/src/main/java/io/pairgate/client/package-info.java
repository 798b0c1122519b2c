/**
 * The client side of pairing: a device's persistent Ed25519 {@link io.pairgate.client.DeviceIdentity
 * identity}, the {@link io.pairgate.client.ConnectProof proof} it signs for a gateway's challenge,
 * and a {@link io.pairgate.client.TokenCache cache} of the device tokens it was issued.
 *
 * <p>Nothing here regenerates an identity silently: a corrupt, truncated or mismatched identity
 * file is reported as an {@link io.pairgate.client.IdentityFileException} and left untouched.
 */
@NullMarked
package io.pairgate.client;

import org.jspecify.annotations.NullMarked;
