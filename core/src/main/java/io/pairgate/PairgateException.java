package io.pairgate;

/**
 * The root of every exception Pairgate throws. Unchecked; {@link #code()} says what went wrong in
 * a form a program can switch on. Operations that throw change nothing.
 */
public class PairgateException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  /** Creates an exception with a code and a human-readable message. */
  public PairgateException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  /** Creates an exception with a code, a message and the underlying cause. */
  public PairgateException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** The typed reason for the failure. */
  public ErrorCode code() {
    return code;
  }
}
