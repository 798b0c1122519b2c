package io.pairgate.testkit;

/**
 * The result of running one scenario vector.
 *
 * @param source where the vector came from (a file path or a classpath resource name)
 * @param name the vector's {@code name}, or the source when it could not be read
 * @param status {@link Grade#PASS}, {@link Grade#FAIL} (a step's expectation was not met) or
 *     {@link Grade#ERROR} (the vector is malformed: bad JSON, unknown op or field, unbound
 *     variable)
 * @param message empty on success; otherwise {@code step N (op …): expected … got …} or the
 *     malformation
 * @param stepsRun how many steps ran (all of them on success)
 */
public record ScenarioResult(String source, String name, Grade status, String message, int stepsRun) {

  /** How a vector ended. */
  public enum Grade {
    /** Every step met its expectations. */
    PASS,
    /** A step's expectation was not met. */
    FAIL,
    /** The vector could not be run as written. */
    ERROR
  }

  /** Whether the vector passed. */
  public boolean passed() {
    return status == Grade.PASS;
  }

  /** One line: {@code PASS name}, or {@code FAIL name (source): message}. */
  @Override
  public String toString() {
    return status + " " + name + (passed() ? "" : " (" + source + "): " + message);
  }
}
