package io.pairgate;

import java.util.HexFormat;

/**
 * Thrown where a malformed value enters the API: a value type's parser or constructor
 * ({@link RequestId#of}, {@link DeviceId#parse}, {@link Role#of}, {@link Scope#of},
 * {@link TokenHash#parse}, every public {@code fromWireName}, …), a builder's {@code build()}, or an
 * operator operation given an argument it cannot accept. Nothing was changed.
 *
 * <p>{@link #code()} is {@link ErrorCode#INVALID_ARGUMENT} unless a more precise code names the
 * kind of value ({@link ErrorCode#INVALID_SCOPE} for a scope, {@link ErrorCode#PUBLIC_KEY_INVALID}
 * for a public key). The message names what is wrong and shows the offending text only as a short
 * excerpt with control characters made visible ({@link #quote(String)}); it never quotes a
 * secret.
 *
 * <p>This is the error model's "throw at the API edge" half (see {@link PairingService}): what a
 * connecting client presents inside a {@link ConnectAttempt} is answered by
 * {@link PairingService#connect} with {@link ConnectResult.Rejected} instead.
 */
public class InvalidArgumentException extends PairgateException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with {@link ErrorCode#INVALID_ARGUMENT}. */
  public InvalidArgumentException(String message) {
    super(ErrorCode.INVALID_ARGUMENT, message);
  }

  /**
   * Creates the exception with a more precise code (for example {@link ErrorCode#INVALID_SCOPE}).
   */
  public InvalidArgumentException(ErrorCode code, String message) {
    super(code, message);
  }

  /** Creates the exception with {@link ErrorCode#INVALID_ARGUMENT} and the underlying cause. */
  public InvalidArgumentException(String message, Throwable cause) {
    super(ErrorCode.INVALID_ARGUMENT, message, cause);
  }

  /**
   * Input quoted for an error message: at most 80 characters of it (77 and {@code ...} when
   * longer), in double quotes, with every control character (C0, DEL and C1) written as
   * {@code \xHH} and {@code "} and {@code \} escaped, so that no input can forge a line or a
   * terminal escape in a log.
   */
  public static String quote(String s) {
    int keep = s.length() <= 80 ? s.length() : 77;
    StringBuilder b = new StringBuilder(keep + 8).append('"');
    for (int i = 0; i < keep; i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) {
        b.append("\\x").append(HexFormat.of().toHexDigits((byte) c));
      } else if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else {
        b.append(c);
      }
    }
    return b.append(keep < s.length() ? "...\"" : "\"").toString();
  }
}
