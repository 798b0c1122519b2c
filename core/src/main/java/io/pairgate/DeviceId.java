package io.pairgate;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A device's identity: the lowercase hex SHA-256 (64 characters) of its raw 32-byte Ed25519 public
 * key. Obtain one from a key with {@link #of(DevicePublicKey)} or parse a claimed id with
 * {@link #parse(String)}.
 *
 * @param value the 64 lowercase hex characters
 */
public record DeviceId(String value) implements Comparable<DeviceId> {

  /**
   * Validates the form.
   *
   * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} unless {@code value} is 64
   *     lowercase hex characters
   */
  public DeviceId {
    if (!isWellFormed(value)) {
      throw new InvalidArgumentException(
          "device id must be 64 lowercase hex characters: " + abbreviate(value));
    }
  }

  /**
   * Parses a device id; same as the constructor.
   *
   * @throws InvalidArgumentException unless {@code value} is 64 lowercase hex characters
   */
  public static DeviceId parse(String value) {
    return new DeviceId(value);
  }

  /** Derives the id of a public key: hex(SHA-256(raw 32 bytes)). */
  public static DeviceId of(DevicePublicKey key) {
    return new DeviceId(HexFormat.of().formatHex(sha256(key.rawBytes())));
  }

  /** Whether {@code value} has the form of a device id (64 lowercase hex characters). */
  public static boolean isWellFormed(String value) {
    if (value.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = value.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }

  /** Input quoted for an error message; see {@link InvalidArgumentException#quote(String)}. */
  static String abbreviate(String s) {
    return InvalidArgumentException.quote(s);
  }

  /** Orders by {@link #value()}. */
  @Override
  public int compareTo(DeviceId other) {
    return value.compareTo(other.value);
  }

  /** The id as text, {@link #value()}. */
  @Override
  public String toString() {
    return value;
  }
}
