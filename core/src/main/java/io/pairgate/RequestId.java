package io.pairgate;

import org.jspecify.annotations.Nullable;

/**
 * The id of a pairing request: what an operator approves or rejects, and what a device is told in
 * {@link ConnectResult.PairingRequired#requestId()}.
 *
 * <p>1 to {@value InputLimits#REQUEST_ID} characters of {@code [A-Za-z0-9_-]}. Pairgate mints
 * lowercase version-4 UUIDs with dashes (36 characters), as OpenClaw does
 * ({@code crypto.randomUUID()}), so every minted or imported OpenClaw id is valid; test fixtures and
 * other stores may use shorter ids such as {@code req-1}. The characters are those that need no
 * quoting in a URL, a shell, a log line or a WebSocket close reason, and the length bound keeps
 * {@link ConnectResult.PairingRequired#closeReason()} able to carry the whole id.
 *
 * @param value the id as text
 */
public record RequestId(String value) implements Comparable<RequestId> {

  /**
   * Validates the form.
   *
   * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} unless {@code value}
   *     is 1 to {@value InputLimits#REQUEST_ID} characters of {@code [A-Za-z0-9_-]}
   */
  public RequestId {
    if (!isWellFormed(value)) {
      throw new InvalidArgumentException("request id must be 1 to " + InputLimits.REQUEST_ID
          + " characters of [A-Za-z0-9_-]: " + DeviceId.abbreviate(value));
    }
  }

  /**
   * Parses a request id; same as the constructor.
   *
   * @throws InvalidArgumentException for a malformed id
   */
  public static RequestId of(String value) {
    return new RequestId(value);
  }

  /**
   * Parses an id that may be absent: the empty string gives null, anything else must be a
   * well-formed id. For storage formats that write an absent id as {@code ""}.
   *
   * @throws InvalidArgumentException for a non-empty malformed id
   */
  public static @Nullable RequestId ofEmptyAsNull(String valueOrEmpty) {
    return valueOrEmpty.isEmpty() ? null : new RequestId(valueOrEmpty);
  }

  /** The id's text, or {@code ""} for null: the inverse of {@link #ofEmptyAsNull(String)}. */
  public static String valueOrEmpty(@Nullable RequestId id) {
    return id == null ? "" : id.value;
  }

  /**
   * Whether {@code value} has the form of a request id (1 to {@value InputLimits#REQUEST_ID}
   * characters of {@code [A-Za-z0-9_-]}); false for null.
   */
  public static boolean isWellFormed(@Nullable String value) {
    if (value == null || value.isEmpty() || value.length() > InputLimits.REQUEST_ID) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_')) {
        return false;
      }
    }
    return true;
  }

  /** Orders by {@link #value()}. */
  @Override
  public int compareTo(RequestId other) {
    return value.compareTo(other.value);
  }

  /** The id as text, {@link #value()}. */
  @Override
  public String toString() {
    return value;
  }
}
