package io.pairgate.store.json;

import java.nio.file.Path;

/**
 * One problem found by {@link JsonPairingStore#check()}: which file, what kind, and what exactly is
 * wrong with it. The CLI's {@code store check} and {@code doctor} print these.
 *
 * @param file the file (absolute path)
 * @param kind the kind of problem
 * @param message what is wrong, including where in the file (it starts with what kind of problem
 *     it is, e.g. {@code truncated:} or {@code schema violation at paired.approvedAtMs:})
 */
public record StoreProblem(Path file, Kind kind, String message) {

  /** Kinds of problems, from worst to mildest. */
  public enum Kind {
    /** The file could not be read at all (permissions, I/O error). */
    UNREADABLE,
    /** The file is empty or ends in the middle of a JSON value (an interrupted copy, a full disk). */
    TRUNCATED,
    /** The file is not JSON. */
    UNPARSABLE,
    /** The file is JSON but violates the schema (missing, unknown or malformed fields). */
    SCHEMA,
    /** The file was written by a newer Pairgate (or is another format). */
    NEWER_FORMAT,
    /** A device file whose name or directory does not match the device id it holds. */
    MISPLACED,
    /** A file the store did not write, in a directory the store owns. It is ignored. */
    UNEXPECTED_FILE;

    /**
     * Whether the problem makes a device's data unreadable (every kind but
     * {@link #UNEXPECTED_FILE}): the file must be repaired or
     * {@linkplain JsonPairingStore#quarantine(Path, Path) quarantined}. A read-write open refuses a
     * store in which it finds such a problem.
     */
    public boolean affectsData() {
      return this != UNEXPECTED_FILE;
    }
  }

  @Override
  public String toString() {
    return file + ": " + message;
  }
}
