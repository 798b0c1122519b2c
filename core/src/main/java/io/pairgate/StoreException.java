package io.pairgate;

/**
 * A failure of the persistence layer. {@link #retryable()} tells whether trying the same operation
 * again may succeed (a dropped connection, a lock timeout, an exhausted conflict retry budget) or
 * not (corrupt data, a schema from a newer version). Either way nothing was half-applied.
 */
public class StoreException extends PairgateException {
  private static final long serialVersionUID = 1L;
  private final boolean retryable;

  /** Creates a store failure. */
  public StoreException(String message, boolean retryable) {
    super(ErrorCode.STORE_FAILURE, message);
    this.retryable = retryable;
  }

  /** Creates a store failure with its cause. */
  public StoreException(String message, boolean retryable, Throwable cause) {
    super(ErrorCode.STORE_FAILURE, message, cause);
    this.retryable = retryable;
  }

  /** Creates a store exception with a specific code (used by {@link StoreCorruptException}). */
  protected StoreException(ErrorCode code, String message, boolean retryable, Throwable cause) {
    super(code, message, cause);
    this.retryable = retryable;
  }

  /** Whether the same operation may succeed if tried again. */
  public boolean retryable() {
    return retryable;
  }
}
