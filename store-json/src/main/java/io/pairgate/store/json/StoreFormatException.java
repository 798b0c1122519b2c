package io.pairgate.store.json;

import io.pairgate.ErrorCode;
import io.pairgate.StoreException;

/**
 * A store file was written in a format this version of Pairgate does not read: a newer
 * {@code formatVersion} (written by a newer Pairgate), or another format altogether. Upgrade
 * Pairgate, or point it at the right directory. Nothing was changed; retrying does not help.
 */
public final class StoreFormatException extends StoreException {
  private static final long serialVersionUID = 1L;
  private final String location;
  private final String foundFormat;
  private final long foundVersion;

  StoreFormatException(String location, String foundFormat, long foundVersion, String problem) {
    super(ErrorCode.STORE_FAILURE, location + ": " + problem, false,
        new IllegalStateException(problem));
    this.location = location;
    this.foundFormat = foundFormat;
    this.foundVersion = foundVersion;
  }

  /** The file whose format is not supported. */
  public String location() {
    return location;
  }

  /** The format name found in the file. */
  public String foundFormat() {
    return foundFormat;
  }

  /** The {@code formatVersion} found in the file. */
  public long foundVersion() {
    return foundVersion;
  }

  /** The newest {@code formatVersion} this version of Pairgate reads. */
  public long supportedVersion() {
    return Layout.FORMAT_VERSION;
  }
}
