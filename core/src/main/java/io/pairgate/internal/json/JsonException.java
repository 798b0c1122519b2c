package io.pairgate.internal.json;

/**
 * Text that is not one complete, strict JSON document. The message never quotes the input (which
 * may hold a token secret), except a duplicate field name that looks like a plain field name; it
 * starts with {@code "truncated: "} when the input ended early and {@code "not valid JSON: "}
 * otherwise, and ends with the line and column.
 */
public final class JsonException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final boolean truncated;

  JsonException(String message, boolean truncated) {
    super(message);
    this.truncated = truncated;
  }

  /** Whether the input ended before the document was complete (a cut file, not a damaged one). */
  public boolean truncated() {
    return truncated;
  }
}
