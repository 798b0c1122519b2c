package io.pairgate;

import java.time.Instant;

/**
 * A connect challenge: the nonce the gateway sends a new connection before it may connect
 * ({@code connect.challenge} in OpenClaw's protocol). Obtain one from
 * {@link PairingService#issueChallenge()}; the device signs it into its proof, and each nonce can be
 * used for one connect attempt only.
 *
 * @param nonce a random UUID
 * @param issuedAt when it was issued; clients should sign with {@code signedAt = issuedAt}
 */
public record Challenge(String nonce, Instant issuedAt) {}
