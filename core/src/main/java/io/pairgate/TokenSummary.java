package io.pairgate;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A {@link DeviceToken} without its secret: what listings and events show.
 *
 * @param role the role the token is for
 * @param scopes what the token grants
 * @param createdAt when a token for this role was first issued
 * @param rotatedAt when it was last replaced, if ever
 * @param revokedAt when it was revoked, if it was
 * @param lastUsedAt the last successful use, if known
 */
public record TokenSummary(
    Role role, ScopeSet scopes, Instant createdAt, @Nullable Instant rotatedAt,
    @Nullable Instant revokedAt, @Nullable Instant lastUsedAt) {

  /** Whether the token was revoked. */
  public boolean isRevoked() {
    return revokedAt != null;
  }
}
