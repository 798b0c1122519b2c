package io.pairgate;

/** The outcome of {@link PairingService#verifyToken}: {@link #OK} or why the token fails. */
public enum TokenCheck {
  /** The token is valid for the role and covers the requested scopes. */
  OK(null),
  /** No paired device with that id. */
  NOT_PAIRED(ErrorCode.UNKNOWN_DEVICE),
  /** The role is not approved for the device. */
  ROLE_MISSING(ErrorCode.UNKNOWN_ROLE),
  /** The role is approved but has no token. */
  TOKEN_MISSING(ErrorCode.TOKEN_MISSING),
  /**
   * The presented secret is the role's token, but that token was revoked. Checked after
   * {@link #MISMATCH}, so only the holder of the secret learns of the revocation.
   */
  REVOKED(ErrorCode.TOKEN_REVOKED),
  /**
   * The presented secret is not the stored one, whether or not that token was revoked (a wrong
   * secret never reveals a revocation).
   */
  MISMATCH(ErrorCode.TOKEN_MISMATCH),
  /** The token is valid but does not imply every requested scope. */
  SCOPE_MISMATCH(ErrorCode.TOKEN_SCOPE_MISMATCH),
  /** The stored token's scopes exceed the device's approved baseline (fail closed). */
  EXCEEDS_BASELINE(ErrorCode.TOKEN_SCOPE_MISMATCH);

  private final ErrorCode errorCode;

  TokenCheck(ErrorCode errorCode) {
    this.errorCode = errorCode;
  }

  /** Whether the token passed. */
  public boolean ok() {
    return this == OK;
  }

  /**
   * The error a connect authenticated by this token is rejected with.
   *
   * @throws IllegalStateException for {@link #OK}
   */
  public ErrorCode errorCode() {
    if (errorCode == null) {
      throw new IllegalStateException("OK has no error code");
    }
    return errorCode;
  }
}
