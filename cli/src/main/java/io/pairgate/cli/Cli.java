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

  /** The store the options select (default: the store-json directory {@link #home()}). */
  StoreHandle openStore() {
    if (storeDir != null && jdbcUrl != null) {
      throw new PairgateException(ErrorCode.INVALID_ARGUMENT,
          "choose one store: --store DIR or --jdbc URL, not both");
    }
    if (jdbcUrl != null) {
      return StoreHandle.jdbc(jdbcUrl);
    }
    return StoreHandle.json(storeDir != null ? storeDir : home());
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
