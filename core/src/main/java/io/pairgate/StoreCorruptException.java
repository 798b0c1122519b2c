package io.pairgate;

/**
 * The store found persisted data it cannot read: truncated, unparsable, or violating the schema.
 * {@link #location()} names the file or row. The store never treats such data as empty and never
 * overwrites it.
 */
public final class StoreCorruptException extends StoreException {
  private static final long serialVersionUID = 1L;
  private final String location;

  /** Creates the exception; {@code location} is a file path or a table and key. */
  public StoreCorruptException(String location, String problem, Throwable cause) {
    super(ErrorCode.STORE_CORRUPT, location + ": " + problem, false, cause);
    this.location = location;
  }

  /** Creates the exception without an underlying cause. */
  public StoreCorruptException(String location, String problem) {
    super(ErrorCode.STORE_CORRUPT, location + ": " + problem, false, new IllegalStateException(problem));
    this.location = location;
  }

  /** The file path or table/key of the bad data. */
  public String location() {
    return location;
  }
}
