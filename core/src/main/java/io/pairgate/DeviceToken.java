package io.pairgate;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A per-role bearer credential of a paired device, <em>as stored</em>: its secret (32 random
 * bytes in base64url, 43 characters) is never kept, only its {@link #hash()}. The secret exists
 * only in the result that delivers it ({@link ConnectResult.Allowed#secret()},
 * {@link IssuedToken#secret()}). Its {@link #scopes()} are never wider than the device's approved
 * baseline and may be narrower (after a rotation).
 *
 * <p>A token with no hash {@linkplain #awaitingIssue() awaits issue}: an approval granted the
 * role, and the device's next allowed connect for the role mints the secret and delivers it (R6.3,
 * R4.8 in {@code docs/semantics.md}). No presented secret matches it.
 *
 * @param role the role the token is for
 * @param scopes what the token grants
 * @param hash the SHA-256 of the secret, or null while the token awaits issue
 * @param createdAt when a token for this role was first issued; kept across rotations
 * @param rotatedAt when the secret or scopes were last replaced, if ever
 * @param revokedAt when the token was revoked; null while it is valid
 * @param lastUsedAt the last successful use, if known (best effort, may lag)
 */
public record DeviceToken(
    Role role,
    ScopeSet scopes,
    @Nullable TokenHash hash,
    Instant createdAt,
    @Nullable Instant rotatedAt,
    @Nullable Instant revokedAt,
    @Nullable Instant lastUsedAt) {

  /** Whether the token was revoked. */
  public boolean isRevoked() {
    return revokedAt != null;
  }

  /** Whether the token has no secret yet: the device's next allowed connect receives one. */
  public boolean awaitingIssue() {
    return hash == null;
  }

  /**
   * Whether {@code presented} is this token's secret: hashed and compared in constant time
   * ({@link TokenHash#matches}). Any input, of any length or content, is a plain mismatch, never
   * an exception; a token {@linkplain #awaitingIssue() awaiting issue} matches nothing.
   */
  public boolean matches(String presented) {
    TokenHash h = hash;
    return h != null && h.matches(presented);
  }

  /** The token without its hash. */
  public TokenSummary summary() {
    return new TokenSummary(role, scopes, createdAt, rotatedAt, revokedAt, lastUsedAt);
  }

  /** A copy with other scopes and the same secret. */
  public DeviceToken withScopes(ScopeSet newScopes) {
    return new DeviceToken(role, newScopes, hash, createdAt, rotatedAt, revokedAt, lastUsedAt);
  }

  /** A copy with {@code lastUsedAt} replaced. */
  public DeviceToken withLastUsedAt(Instant at) {
    return new DeviceToken(role, scopes, hash, createdAt, rotatedAt, revokedAt, at);
  }

  @Override
  public String toString() {
    return "DeviceToken[role=" + role + ", scopes=" + scopes + ", hash="
        + (hash == null ? "<awaiting issue>" : "<redacted>") + ", createdAt=" + createdAt
        + ", rotatedAt=" + rotatedAt + ", revokedAt=" + revokedAt + ", lastUsedAt=" + lastUsedAt
        + "]";
  }
}
