package io.pairgate.client;

import io.pairgate.ErrorCode;
import io.pairgate.PairgateException;
import java.nio.file.Path;

/**
 * A client file (a {@link DeviceIdentity} or a persisted {@link TokenCache}) could not be read or
 * written. The file is never modified or replaced because of this error: a device whose identity
 * file is damaged must not silently become a new device. {@link #code()} is
 * {@link ErrorCode#STORE_CORRUPT} when the content is bad and {@link ErrorCode#STORE_FAILURE} when
 * the file system failed.
 */
public final class IdentityFileException extends PairgateException {
  private static final long serialVersionUID = 1L;

  /** What is wrong with the file. */
  public enum Problem {
    /** The file is empty or ends in the middle of the document. */
    TRUNCATED,
    /** The content is not a JSON document of the expected shape. */
    UNPARSABLE,
    /** The document's format name or version is not one this library reads. */
    UNSUPPORTED_VERSION,
    /** A key has the wrong length or encoding, or the private key does not match the public one. */
    KEY_INVALID,
    /** The stored device id is not the one the public key derives. */
    ID_MISMATCH,
    /** The file could not be read or written (permissions, disk, missing directory). */
    IO,
    /**
     * The file is refused unread: it is a symbolic link, is owned by another user, or can be read
     * or written by its group or by others. A private key must be the process user's own, mode
     * 0600.
     */
    INSECURE;

    ErrorCode errorCode() {
      return this == IO || this == INSECURE ? ErrorCode.STORE_FAILURE : ErrorCode.STORE_CORRUPT;
    }
  }

  private final transient Path file;
  private final Problem problem;

  /** Creates the exception; the message names the file, the problem and the detail. */
  public IdentityFileException(Path file, Problem problem, String detail) {
    super(problem.errorCode(), message(file, problem, detail));
    this.file = file;
    this.problem = problem;
  }

  /** Creates the exception with its underlying cause. */
  public IdentityFileException(Path file, Problem problem, String detail, Throwable cause) {
    super(problem.errorCode(), message(file, problem, detail), cause);
    this.file = file;
    this.problem = problem;
  }

  private static String message(Path file, Problem problem, String detail) {
    String what = switch (problem) {
      case TRUNCATED -> "truncated";
      case UNPARSABLE -> "not a valid identity document";
      case UNSUPPORTED_VERSION -> "unsupported format or version";
      case KEY_INVALID -> "invalid key";
      case ID_MISMATCH -> "device id does not match the key";
      case IO -> "cannot be accessed";
      case INSECURE -> "refused";
    };
    return file + ": " + what + ": " + detail
        + (problem == Problem.IO || problem == Problem.INSECURE ? "" : " (the file was left untouched; restore it from a backup or"
            + " move it aside to create a new identity, which must then be paired again)");
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /** What is wrong with it. */
  public Problem problem() {
    return problem;
  }
}
