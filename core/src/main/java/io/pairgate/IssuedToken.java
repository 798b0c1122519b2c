package io.pairgate;

/**
 * A device token that was just issued, with its secret: the result of
 * {@link PairingService#rotate}. This is the only time the secret exists outside the device;
 * hand it to the device (or let the device collect a fresh one, see {@code docs/semantics.md} R7)
 * and do not keep it.
 *
 * @param deviceId the device the token belongs to
 * @param token the token as stored (its {@link DeviceToken#hash() hash}, not its secret)
 * @param secret the plaintext secret
 */
public record IssuedToken(DeviceId deviceId, DeviceToken token, TokenSecret secret) {

  /** The role the token is for. */
  public Role role() {
    return token.role();
  }

  /** What the token grants. */
  public ScopeSet scopes() {
    return token.scopes();
  }
}
