package io.pairgate;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;

/**
 * A device token's plaintext secret (32 random bytes in unpadded base64url, 43 characters), as it
 * is delivered once to whoever must hold it: the device in an allowed connect
 * ({@link ConnectResult.Allowed#secret()}) or the operator in a rotation
 * ({@link IssuedToken#secret()}). Pairgate never stores it (stores keep its {@link TokenHash}).
 * {@link #toString()} never shows it; call {@link #value()} only to send it.
 */
public final class TokenSecret {
  private final String value;

  private TokenSecret(String value) {
    this.value = value;
  }

  /** Wraps a secret's text. */
  public static TokenSecret of(String value) {
    return new TokenSecret(value);
  }

  /** The secret's text: send it to the device, never log it. */
  public String value() {
    return value;
  }

  /** The stored form of this secret. */
  public TokenHash hash() {
    return TokenHash.of(value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenSecret s && MessageDigest.isEqual(
        value.getBytes(StandardCharsets.UTF_8), s.value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  /** Redacted: the secret never appears. */
  @Override
  public String toString() {
    return "TokenSecret[<redacted>]";
  }
}
