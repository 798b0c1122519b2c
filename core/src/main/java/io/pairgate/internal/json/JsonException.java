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
  private final String problem;
  private final int line;
  private final int column;

  JsonException(String problem, boolean truncated, int line, int column) {
    super((truncated ? "truncated: " : "not valid JSON: ") + problem
        + (line > 0 ? " (line " + line + ", column " + column + ")" : ""));
    this.truncated = truncated;
    this.problem = problem;
    this.line = line;
    this.column = column;
  }

  /** What is wrong, without the prefix and the location. */
  public String problem() {
    return problem;
  }

  /** The 1-based line where the problem is, or 0 when it is not at a place (not UTF-8). */
  public int line() {
    return line;
  }

  /** The 1-based column (in chars) where the problem is, or 0. */
  public int column() {
    return column;
  }

  /** Whether the input ended before the document was complete (a cut file, not a damaged one). */
  public boolean truncated() {
    return truncated;
  }
}
