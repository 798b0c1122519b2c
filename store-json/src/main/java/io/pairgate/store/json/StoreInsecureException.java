package io.pairgate.store.json;

import io.pairgate.ErrorCode;
import io.pairgate.StoreException;
import java.nio.file.Path;

/**
 * The store refuses a file or directory that another user could have written or planted: a store
 * directory writable by its group or by others, or owned by another user; or a symbolic link where
 * the store expects its own file (a device file, {@code store.json}, {@code changes.journal} or
 * {@code .lock}). Following such a link could make the store read forged records or overwrite,
 * truncate or change the mode of a file elsewhere. Nothing was read from or written to it;
 * retrying does not help. Fix the ownership or mode ({@code chown}, {@code chmod 700}), or remove
 * the link; {@code pairgate doctor} names it.
 */
public final class StoreInsecureException extends StoreException {
  private static final long serialVersionUID = 1L;

  /** Why the path was refused. */
  public enum Reason {
    /** A symbolic link where the store expects its own file or directory. */
    SYMLINK,
    /** The store directory is owned by another user. */
    FOREIGN_OWNER,
    /** The store directory can be written by its group or by others. */
    WRITABLE_BY_OTHERS
  }

  private final transient Path path;
  private final Reason reason;

  StoreInsecureException(Path path, Reason reason, String detail) {
    super(ErrorCode.STORE_FAILURE, path + ": refused: " + detail, false,
        new IllegalStateException(reason.name()));
    this.path = path;
    this.reason = reason;
  }

  /** The refused file or directory. */
  public Path path() {
    return path;
  }

  /** Why it was refused. */
  public Reason reason() {
    return reason;
  }
}
