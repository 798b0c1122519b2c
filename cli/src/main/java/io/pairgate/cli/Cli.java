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

  /**
   * The existing store the options select (default: the store-json directory {@link #home()}).
   * A missing store is an error, not a new empty store: a mistyped path must not look like a
   * store with nothing pending.
   */
  StoreHandle openStore() {
    return openStore(false);
  }

  /** The store the options select; {@code create} allows creating a new one. */
  StoreHandle openStore(boolean create) {
    if (storeDir != null && jdbcUrl != null) {
      throw new PairgateException(ErrorCode.INVALID_ARGUMENT,
          "choose one store: --store DIR or --jdbc URL, not both");
    }
    if (jdbcUrl != null) {
      String url = jdbcUrl;
      if (!create && url.startsWith("jdbc:sqlite:") && !url.contains(":memory:")
          && !url.contains("?")
          && !java.nio.file.Files.exists(Path.of(url.substring("jdbc:sqlite:".length())))) {
        throw new PairgateException(ErrorCode.INVALID_ARGUMENT, "no database at " + url
            + " (check the path; a gateway creates its store on first start)");
      }
      return StoreHandle.jdbc(url);
    }
    boolean chosen = storeDir != null;
    Path dir = chosen ? storeDir : home();
    if (!create && !java.nio.file.Files.isRegularFile(dir.resolve("store.json"))) {
      throw new PairgateException(ErrorCode.INVALID_ARGUMENT, "no Pairgate store at " + dir
          + (chosen ? "" : " (the default; choose one with --store DIR, --jdbc URL or"
              + " $PAIRGATE_HOME)") + "; a gateway creates its store on first start");
    }
    return StoreHandle.json(dir);
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
