package io.pairgate;

import java.util.Locale;

/**
 * How the gateway authenticated the connection before asking Pairgate, besides the device proof.
 * Only {@link #DEVICE_TOKEN} is checked by Pairgate itself (against the stored token); the others
 * are the gateway's own checks, reported so that policy (silent approval, audit) can use them.
 */
public enum AuthMethod {
  /** The gateway runs without connection authentication (auth mode {@code none}). */
  NONE,
  /** The gateway's shared token was valid. */
  SHARED_TOKEN,
  /** The gateway's shared password was valid. */
  PASSWORD,
  /** The client presented a device token; Pairgate verifies it ({@link ConnectAttempt#token()}). */
  DEVICE_TOKEN,
  /** A bootstrap or setup-code token, validated by the gateway. */
  BOOTSTRAP_TOKEN,
  /** An authenticating reverse proxy vouched for the user. */
  TRUSTED_PROXY,
  /** Tailscale identity headers vouched for the user. */
  TAILSCALE;

  /** Kebab-case name, e.g. {@code shared-token}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * Parses {@link #wireName()} exactly (case-sensitive).
   *
   * @throws InvalidArgumentException for an unknown name
   */
  public static AuthMethod fromWireName(String s) {
    for (AuthMethod v : values()) {
      if (v.wireName().equals(s)) {
        return v;
      }
    }
    throw new InvalidArgumentException("unknown AuthMethod wire name: " + DeviceId.abbreviate(s));
  }
}
