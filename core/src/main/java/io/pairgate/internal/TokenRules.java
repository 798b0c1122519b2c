package io.pairgate.internal;

import io.pairgate.ClientInfo;
import io.pairgate.DeviceToken;
import io.pairgate.PairedDevice;
import io.pairgate.Role;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.TokenCheck;
import io.pairgate.TokenHash;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Owns the device-token rules: checking a presented token (R7) and what an allowed connect does to
 * the role's token (R4.8: reuse it, grow it within the baseline, or have a secret minted). Pure:
 * it mints nothing; a plan that needs a secret says so and the transactor mints it.
 */
final class TokenRules {
  private final ScopePolicy policy;

  TokenRules(ScopePolicy policy) {
    this.policy = policy;
  }

  /**
   * The token an allowed connect uses and the paired device after it. When {@code mint} holds,
   * {@code token} (and its copy in {@code next}) has no hash yet: a new secret's hash goes there.
   * {@code issued} tells whether the token is new or changed.
   */
  record TokenPlan(PairedDevice next, DeviceToken token, boolean issued, boolean mint) {

    /** Whether the paired device changes at all (else the connect writes nothing). */
    boolean changes(PairedDevice before) {
      return next != before;
    }

    /** The plan with the minted secret's hash in place (a plan that mints nothing is kept). */
    TokenPlan withHash(TokenHash hash) {
      if (!mint) {
        return this;
      }
      DeviceToken t = new DeviceToken(token.role(), token.scopes(), hash, token.createdAt(),
          token.rotatedAt(), token.revokedAt(), token.lastUsedAt());
      return new TokenPlan(withToken(next, t), t, issued, false);
    }
  }

  /** R7: whether {@code token} authenticates {@code role} for {@code requested}. */
  TokenCheck check(PairedDevice paired, Role role, String token, ScopeSet requested) {
    if (!paired.roles().contains(role)) {
      return TokenCheck.ROLE_MISSING;
    }
    DeviceToken t = paired.token(role);
    if (t == null) {
      return TokenCheck.TOKEN_MISSING;
    }
    // R7: the secret first, so only its holder learns that the role was revoked.
    if (!t.matches(token)) {
      return TokenCheck.MISMATCH;
    }
    if (t.isRevoked()) {
      return TokenCheck.REVOKED;
    }
    if (!policy.allows(role, t.scopes(), paired.approvedScopes())) {
      return TokenCheck.EXCEEDS_BASELINE;
    }
    if (!policy.allows(role, requested, t.scopes())) {
      return TokenCheck.SCOPE_MISMATCH;
    }
    return TokenCheck.OK;
  }

  /** R4.8: the role's token after an allowed connect, and the paired device after it. */
  TokenPlan plan(PairedDevice paired, Role role, ScopeSet requested, ClientInfo client,
      MetadataPins.Verdict pin, Instant now) {
    ScopeSet baseline = paired.approvedScopes();
    DeviceToken t = paired.token(role);
    DeviceToken token;
    boolean issued;
    boolean mint = false;
    if (t != null && !t.isRevoked() && t.awaitingIssue()) {
      // an approval granted the role: mint the secret now and deliver it (R4.8, R6.3)
      ScopeSet kept = t.scopes().filter(s -> policy.implies(role, s, baseline));
      token = new DeviceToken(role, kept.union(requested), null, t.createdAt(), t.rotatedAt(),
          null, t.lastUsedAt());
      issued = true;
      mint = true;
    } else if (t != null && !t.isRevoked() && policy.allows(role, requested, t.scopes())
        && policy.allows(role, t.scopes(), baseline)) {
      token = t;
      issued = false;
    } else {
      // Grow (never narrow) the token to cover the request, clamped to the baseline.
      boolean fresh = t == null || t.isRevoked();
      ScopeSet kept = fresh
          ? ScopeSet.empty()
          : t.scopes().filter(s -> policy.implies(role, s, baseline));
      ScopeSet scopes = kept.union(requested);
      if (fresh) {
        mint = true;
        token = new DeviceToken(role, scopes, null, t == null ? now : t.createdAt(),
            t == null ? null : now, null, t == null ? null : t.lastUsedAt());
      } else {
        token = new DeviceToken(role, scopes, t.hash(), t.createdAt(), now, null, t.lastUsedAt());
      }
      issued = true;
    }
    PairedDevice next = issued ? withToken(paired, token) : paired;
    if (pin == MetadataPins.Verdict.REFRESH) {
      next = next.withPinnedMetadata(client);
    }
    return new TokenPlan(next, token, issued, mint);
  }

  private static PairedDevice withToken(PairedDevice device, DeviceToken token) {
    Map<Role, DeviceToken> tokens = new HashMap<>(device.tokens());
    tokens.put(token.role(), token);
    return device.withTokens(tokens);
  }

  /** The token presented for {@code role}, if the device authenticated with one. */
  static @Nullable String presented(io.pairgate.ConnectAttempt a) {
    return a.auth() == io.pairgate.AuthMethod.DEVICE_TOKEN ? a.token() : null;
  }
}
