package io.pairgate;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A per-role bearer credential issued to a paired device: 32 random bytes in base64url
 * ({@link #secret()}, 43 characters). Its {@link #scopes()} are never wider than the device's
 * approved baseline and may be narrower (after a rotation). {@link #toString()} never shows the
 * secret; use {@link #summary()} wherever the token is listed.
 *
 * @param role the role the token is for
 * @param scopes what the token grants
 * @param secret the bearer secret (handle with care)
 * @param createdAt when a token for this role was first issued; kept across rotations
 * @param rotatedAt when the secret or scopes were last replaced, if ever
 * @param revokedAt when the token was revoked; null while it is valid
 * @param lastUsedAt the last successful use, if known (best effort, may lag)
 */
public record DeviceToken(
    Role role,
    ScopeSet scopes,
    String secret,
    Instant createdAt,
    @Nullable Instant rotatedAt,
    @Nullable Instant revokedAt,
    @Nullable Instant lastUsedAt) {

  /** Whether the token was revoked. */
  public boolean isRevoked() {
    return revokedAt != null;
  }

  /**
   * Compares {@code presented} with the secret in constant time (for equal lengths); input of a
   * different length or with non-ASCII characters is a mismatch, never an exception.
   */
  public boolean matches(String presented) {
    if (presented.length() != secret.length()) {
      return false; // the length of a 43-character base64url secret is no secret
    }
    int diff = 0;
    for (int i = 0; i < secret.length(); i++) {
      diff |= secret.charAt(i) ^ presented.charAt(i);
    }
    return diff == 0;
  }

  /** The token without its secret. */
  public TokenSummary summary() {
    return new TokenSummary(role, scopes, createdAt, rotatedAt, revokedAt, lastUsedAt);
  }

  /** A copy with other scopes and the same secret. */
  public DeviceToken withScopes(ScopeSet newScopes) {
    return new DeviceToken(role, newScopes, secret, createdAt, rotatedAt, revokedAt, lastUsedAt);
  }

  /** A copy with {@code lastUsedAt} replaced. */
  public DeviceToken withLastUsedAt(Instant at) {
    return new DeviceToken(role, scopes, secret, createdAt, rotatedAt, revokedAt, at);
  }

  @Override
  public String toString() {
    return "DeviceToken[role=" + role + ", scopes=" + scopes + ", secret=<redacted>, createdAt="
        + createdAt + ", rotatedAt=" + rotatedAt + ", revokedAt=" + revokedAt + ", lastUsedAt="
        + lastUsedAt + "]";
  }
}
