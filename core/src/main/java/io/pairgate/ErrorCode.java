package io.pairgate;

import java.util.Locale;

/**
 * Every typed failure Pairgate reports, for connect rejections ({@link ConnectResult.Rejected})
 * and for exceptions ({@link PairgateException#code()}). {@link #wireName()} is the stable
 * kebab-case name used in logs, JSON and the testkit's scenario vectors.
 */
public enum ErrorCode {
  /** The claimed device id is not the SHA-256 of the presented public key. */
  DEVICE_ID_MISMATCH,
  /** The public key cannot be decoded or is not a valid Ed25519 point. */
  PUBLIC_KEY_INVALID,
  /** The proof's {@code signedAt} is further from the server clock than the allowed skew. */
  SIGNATURE_EXPIRED,
  /** The proof carries no nonce. */
  NONCE_REQUIRED,
  /** The nonce is not the challenge issued for this connection, or was already used. */
  NONCE_MISMATCH,
  /** The Ed25519 signature does not verify over the v3 or v2 payload. */
  SIGNATURE_INVALID,
  /** A requested scope is malformed or can never be held by the requested role. */
  INVALID_SCOPE,
  /** The device is blocked by an operator. */
  BLOCKED,
  /** Device-token authentication: the device has no token for the role. */
  TOKEN_MISSING,
  /** Device-token authentication: the presented token is not the stored one. */
  TOKEN_MISMATCH,
  /** Device-token authentication: the token for the role was revoked. */
  TOKEN_REVOKED,
  /** Device-token authentication: the token does not cover the request, or exceeds the baseline. */
  TOKEN_SCOPE_MISMATCH,
  /** No live or remembered request has this id, or it was rejected. */
  UNKNOWN_REQUEST,
  /** The request was replaced by a wider one; see {@link SupersededException#successorRequestId()}. */
  SUPERSEDED,
  /** The request expired before it was approved. */
  EXPIRED,
  /** The approver lacks a scope needed to approve; see {@link ForbiddenException#missingScopes()}. */
  FORBIDDEN,
  /** The role is not approved for the device (or, for device tokens, not an approved role). */
  UNKNOWN_ROLE,
  /** A rotation asked for scopes beyond the device's approved baseline. */
  SCOPE_OUTSIDE_BASELINE,
  /** No paired device (or device record) with this id. */
  UNKNOWN_DEVICE,
  /** Too many pending requests exist (globally or for the client's address). */
  TOO_MANY_PENDING,
  /**
   * A connect field is longer than its limit, or there are too many scopes ({@link InputLimits});
   * nothing was written.
   */
  FIELD_TOO_LONG,
  /**
   * A field of the signed payload contains {@code |} or a control character
   * ({@link InputLimits}); nothing was written.
   */
  INVALID_FIELD,
  /**
   * A browser connect whose {@code Origin} is neither the gateway's own origin nor one of the
   * configured {@code allowedOrigins}; nothing was written.
   */
  ORIGIN_NOT_ALLOWED,
  /**
   * With {@code rejectUntrustedForwarded}: a peer that is not a trusted proxy sent forwarding
   * headers (OpenClaw's HTTP 403 {@code proxy_attribution_required}); nothing was written.
   */
  PROXY_ATTRIBUTION_REQUIRED,
  /**
   * Too many challenges are outstanding; see {@link RetryLaterException#retryAfter()}. The service
   * fails closed instead of forgetting issued challenges.
   */
  TOO_MANY_CHALLENGES,
  /** An argument is malformed (a role name, a device id, a configuration value). */
  INVALID_ARGUMENT,
  /** The store could not complete an operation; see {@link StoreException#retryable()}. */
  STORE_FAILURE,
  /** The store's persisted data is unreadable or violates its schema. */
  STORE_CORRUPT;

  /** The stable kebab-case name, e.g. {@code "device-id-mismatch"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * Parses a {@link #wireName()} exactly (case-sensitive).
   *
   * @throws InvalidArgumentException if no code has that name
   */
  public static ErrorCode fromWireName(String wireName) {
    for (ErrorCode v : values()) {
      if (v.wireName().equals(wireName)) {
        return v;
      }
    }
    throw new InvalidArgumentException("unknown ErrorCode wire name: " + DeviceId.abbreviate(wireName));
  }
}
