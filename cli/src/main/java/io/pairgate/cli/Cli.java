package io.pairgate.cli;

import io.pairgate.ErrorCode;
import io.pairgate.PairgateException;
import io.pairgate.PairingService;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What every command shares: where output goes, the environment, the clock, the global options
 * ({@code --store}, {@code --jdbc}, {@code --verbose}). Tests create one per in-process run.
 */
final class Cli {
  final PrintWriter out;
  final PrintWriter err;
  final Map<String, String> env;
  final Clock clock;
  boolean verbose;
  @Nullable Path storeDir;
  @Nullable String jdbcUrl;
  boolean readOnly;

  Cli(PrintWriter out, PrintWriter err, Map<String, String> env, Clock clock) {
    this.out = out;
    this.err = err;
    this.env = env;
    this.clock = clock;
  }

  /** {@code $PAIRGATE_HOME}, else {@code ~/.pairgate}. */
  Path home() {
    String h = env.get("PAIRGATE_HOME");
    if (h != null && !h.isBlank()) {
      return Path.of(h);
    }
    return Path.of(System.getProperty("user.home"), ".pairgate");
  }

  /** Whether the user chose a store explicitly. */
  boolean storeChosen() {
    return storeDir != null || jdbcUrl != null;
  }

  /** {@code --store} and {@code --jdbc} together are a usage error (exit 2). */
  void checkStoreOptions() {
    if (storeDir != null && jdbcUrl != null) {
      throw new Errors.UsageException("choose one store: --store DIR or --jdbc URL, not both");
    }
  }

  /**
   * The existing store the options select, opened read-only: nothing is created, written or
   * locked, so a missing store is an error ({@code no Pairgate store at …}), a store directory
   * without write permission can be read, and a device record that cannot be read does not hide
   * the others (see {@link StoreHandle#unreadable()}).
   */
  StoreHandle openForReading() {
    checkStoreOptions();
    if (jdbcUrl != null) {
      return StoreHandle.jdbc(jdbcUrl, StoreHandle.Mode.READ);
    }
    return StoreHandle.json(existingDir(), StoreHandle.Mode.READ);
  }

  /**
   * The existing store the options select, opened for changes. A missing store is an error, not a
   * new empty store: a mistyped path must not look like a store with nothing pending.
   *
   * @param command the command, for the error under {@code --read-only}
   */
  StoreHandle openForWriting(String command) {
    checkStoreOptions();
    if (readOnly) {
      throw new Errors.UsageException("'" + command + "' changes the store; it cannot run with"
          + " --read-only (read-only commands: devices list, devices explain, store check,"
          + " store export-openclaw, doctor without --fix)");
    }
    if (jdbcUrl != null) {
      return StoreHandle.jdbc(jdbcUrl, StoreHandle.Mode.WRITE);
    }
    return StoreHandle.json(existingDir(), StoreHandle.Mode.WRITE);
  }

  /** The store the options select, created when missing (import, simulate). */
  StoreHandle openOrCreate(String command) {
    checkStoreOptions();
    if (readOnly) {
      throw new Errors.UsageException("'" + command + "' writes a store; it cannot run with"
          + " --read-only");
    }
    if (jdbcUrl != null) {
      return StoreHandle.jdbc(jdbcUrl, StoreHandle.Mode.CREATE);
    }
    return StoreHandle.json(storeDir != null ? storeDir : home(), StoreHandle.Mode.CREATE);
  }

  /** The selected store-json directory, which must hold a store. */
  private Path existingDir() {
    boolean chosen = storeDir != null;
    Path dir = chosen ? storeDir : home();
    if (!java.nio.file.Files.isRegularFile(dir.resolve("store.json"))) {
      throw new PairgateException(ErrorCode.INVALID_ARGUMENT, "no Pairgate store at " + dir
          + (chosen ? "" : " (the default; choose one with --store DIR, --jdbc URL or"
              + " $PAIRGATE_HOME)") + "; a gateway creates its store on first start");
    }
    return dir;
  }

  /** A service over {@code handle}'s store with this CLI's clock. */
  PairingService service(StoreHandle handle) {
    return PairingService.builder(handle.store()).clock(clock).build();
  }

  /** Progress for long work: a line on stderr (stdout stays parseable). */
  void progress(String line) {
    err.println(line);
    err.flush();
  }
}
