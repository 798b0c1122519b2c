package io.pairgate.gateway;

/**
 * What {@code hello-ok.auth.scopes} reports for a device connect. OpenClaw changed this in 2026.9;
 * the issued token and its stored scopes are the same either way.
 */
public enum HelloScopes {
  /**
   * The session's scopes, which are exactly the scopes the client asked for (OpenClaw 2026.9 and
   * later; the default).
   */
  REQUESTED,
  /** The scopes of the device token for the role (OpenClaw 2026.6 clients expect this). */
  TOKEN
}
