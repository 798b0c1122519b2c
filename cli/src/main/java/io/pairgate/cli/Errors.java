package io.pairgate.cli;

import io.pairgate.ErrorCode;
import io.pairgate.PairgateException;
import io.pairgate.StoreCorruptException;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Turns an exception into the one line the user sees (and a stack trace with --verbose). */
final class Errors {
  private Errors() {}

  static int report(Cli cli, Throwable ex) {
    cli.err.println("pairgate: " + Out.safe(describe(ex)));
    if (cli.verbose) {
      ex.printStackTrace(cli.err);
    }
    cli.err.flush();
    return ex instanceof UsageException ? Main.USAGE : Main.FAILED;
  }

  static String describe(Throwable ex) {
    if (ex instanceof StoreCorruptException c) {
      String id = StoreHandle.Salvaging.deviceIdIn(c);
      return "store is corrupt: " + c.getMessage()
          + " [" + c.code().wireName() + "] (see 'pairgate store check'; 'pairgate store"
          + " quarantine " + (id == null ? "<deviceId>" : id) + "' moves the file aside;"
          + " 'devices list' and 'devices explain' still show the other devices, and --read-only"
          + " opens the store without writing)";
    }
    if (ex instanceof java.nio.file.AccessDeniedException a) {
      return "permission denied: " + a.getFile() + " (read-only commands such as 'devices list'"
          + " work without write permission; changes need it)";
    }
    if (ex instanceof UsageException) {
      return ex.getMessage();
    }
    if (ex instanceof PairgateException p) {
      return p.getMessage() + " [" + p.code().wireName() + "]";
    }
    if (ex instanceof UncheckedIOException u) {
      return describe(u.getCause());
    }
    if (ex instanceof IOException) {
      return "I/O error: " + ex.getMessage();
    }
    String msg = ex.getMessage();
    return ex.getClass().getSimpleName() + (msg == null ? "" : ": " + msg)
        + (ex.getCause() != null && ex.getCause() != ex ? " (caused by " + ex.getCause() + ")" : "")
        + " (run with --verbose for details)";
  }

  /** A command line that parsed but makes no sense (exit code 2). */
  static final class UsageException extends PairgateException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(ErrorCode.INVALID_ARGUMENT, message);
    }
  }
}
