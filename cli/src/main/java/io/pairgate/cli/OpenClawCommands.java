package io.pairgate.cli;

import io.pairgate.DeviceId;
import io.pairgate.ErrorCode;
import io.pairgate.PairgateException;
import io.pairgate.StoreCorruptException;
import io.pairgate.store.json.OpenClawFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code store import-openclaw} and {@code store export-openclaw}. */
final class OpenClawCommands {
  private OpenClawCommands() {}

  /** {@code dir/devices} when it exists (an OpenClaw state directory), else {@code dir}. */
  static Path devicesDir(Path dir) {
    Path d = dir.resolve("devices");
    return Files.isDirectory(d) ? d : dir;
  }

  @Command(name = "import-openclaw",
      description = "Import OpenClaw's pairing state into the store, all or nothing: the 2026.9"
          + " SQLite tables (state/openclaw.sqlite, opened read-only) or, before 2026.9,"
          + " devices/paired.json and pending.json.")
  static final class Import implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "<stateDir>",
        description = "OpenClaw's state directory (e.g. ~/.openclaw), its devices/ directory, or"
            + " its state/openclaw.sqlite file.")
    Path dir;

    @Option(names = "--skip-rejected",
        description = "Import the rows Pairgate accepts and skip (and list) the others, instead of"
            + " importing nothing when a row is rejected.")
    boolean skipRejected;

    Import(Cli cli) {
      this.cli = cli;
    }

    private OpenClawFiles.ImportReport run(io.pairgate.spi.PairingStore store,
        OpenClawFiles.@org.jspecify.annotations.Nullable Rows rows, Path devices) {
      return runImport(store, rows, devices, skipRejected, cli.out);
    }

    @Override
    public Integer call() {
      Path database = OpenClawSqlite.databaseOf(dir);
      boolean sqlite = Files.isRegularFile(database);
      Path devices = devicesDir(dir);
      boolean json = Files.isRegularFile(devices.resolve(OpenClawFiles.PAIRED_FILE))
          || Files.isRegularFile(devices.resolve(OpenClawFiles.PENDING_FILE));
      if (!sqlite && !json) {
        throw new PairgateException(ErrorCode.INVALID_ARGUMENT, "no " + OpenClawSqlite.DATABASE
            + " (OpenClaw 2026.9) and no " + OpenClawFiles.PAIRED_FILE + " or "
            + OpenClawFiles.PENDING_FILE + " (earlier releases) in " + dir);
      }
      // OpenClaw 2026.6 creates state/openclaw.sqlite too, with empty pairing tables: the
      // database is the source when it holds pairing rows or when there are no JSON files
      OpenClawFiles.Rows rows = null;
      if (sqlite) {
        rows = OpenClawSqlite.read(database);
        if (json && !Files.isRegularFile(dir) && rows.paired().isEmpty()
            && rows.pending().isEmpty() && rows.rejected().isEmpty()) {
          rows = null;
        }
      }
      // a dry run into an empty in-memory store first: rows Pairgate cannot accept and files
      // that are not JSON fail here, before the store is opened (or created)
      run(new io.pairgate.InMemoryPairingStore(), rows, devices);
      try (StoreHandle h = cli.openOrCreate("store import-openclaw")) {
        if (rows != null) {
          cli.progress("Importing OpenClaw 2026.9 state " + database + " (read-only) into "
              + h.description() + " …");
          if (json && !Files.isRegularFile(dir)) {
            cli.out.println("note:     " + devices + " also holds JSON pairing files; they"
                + " are from before 2026.9 and are not read");
          }
        } else {
          cli.progress("Importing OpenClaw JSON state " + devices + " into " + h.description()
              + " …");
        }
        OpenClawFiles.ImportReport r = run(h.store(), rows, devices);
        for (String w : r.warnings()) {
          cli.out.println("adjusted: " + Out.safe(w));
        }
        for (String d : r.dropped()) {
          cli.out.println("dropped:  " + d);
        }
        for (String s : r.skipped()) {
          cli.out.println("skipped:  " + Out.safe(s));
        }
        cli.out.println("Imported " + r.pairedCount() + " paired device(s) and " + r.pendingCount()
            + " pending request(s) for " + r.imported().size() + " device(s)"
            + (r.skipped().isEmpty() ? "." : "; " + r.skipped().size() + " entr"
                + (r.skipped().size() == 1 ? "y" : "ies") + " skipped (see above)."));
        if (!r.imported().isEmpty()) {
          DeviceId first = r.imported().get(0);
          cli.out.println("Imported devices keep OpenClaw's approvedVia (import when it did not"
              + " record one); review them with 'pairgate devices list' (e.g. 'pairgate devices"
              + " explain " + first + "').");
        }
        return r.skipped().isEmpty() ? Main.OK : Main.FAILED;
      }
    }
  }

  /**
   * Imports {@code rows} (the SQLite era) or the JSON files in {@code devices} into
   * {@code store}, turning a refusal into the CLI's error after listing every rejected row.
   */
  private static OpenClawFiles.ImportReport runImport(io.pairgate.spi.PairingStore store,
      OpenClawFiles.@org.jspecify.annotations.Nullable Rows rows, Path devices,
      boolean skipRejected, java.io.PrintWriter out) {
    try {
      return rows != null
          ? OpenClawFiles.importRows(store, rows, OpenClawFiles.DEFAULT_PENDING_TTL, skipRejected)
          : OpenClawFiles.importInto(store, devices, OpenClawFiles.DEFAULT_PENDING_TTL,
              skipRejected);
    } catch (OpenClawFiles.ImportRefusedException e) {
      for (String s : e.rejected()) {
        out.println("rejected: " + s);
      }
      throw new PairgateException(ErrorCode.INVALID_ARGUMENT, e.rejected().size()
          + " row(s) cannot be imported (listed above); nothing was imported. Fix or remove"
          + " them, or import the rest with --skip-rejected", e);
    } catch (StoreCorruptException e) {
      if (!Path.of(e.location()).toAbsolutePath().startsWith(devices.toAbsolutePath())) {
        throw e;
      }
      // the dry run (into memory) comes first, so a file that is not JSON creates no store
      throw new PairgateException(ErrorCode.STORE_CORRUPT, "cannot import " + e.getMessage()
          + "; nothing was imported and no store was created", e);
    }
  }

  @Command(name = "export-openclaw",
      description = "Write the store as OpenClaw state: 2026.9's state/openclaw.sqlite (--format"
          + " sqlite) or 2026.6's devices/paired.json and pending.json (--format json, the"
          + " default). Devices are exported without tokens.")
  static final class Export implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "<stateDir>",
        description = "Target OpenClaw state directory.")
    Path dir;

    @Option(names = "--format", paramLabel = "sqlite|json",
        description = "sqlite: OpenClaw 2026.9 (state/openclaw.sqlite); json: OpenClaw 2026.6"
            + " (devices/*.json). Default: json.")
    String format = "json";

    @Option(names = "--force",
        description = "Replace existing OpenClaw pairing state in <stateDir> (stop OpenClaw"
            + " first).")
    boolean force;

    Export(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() throws Exception {
      if (!format.equals("sqlite") && !format.equals("json")) {
        throw new PairgateException(ErrorCode.INVALID_ARGUMENT, "--format must be sqlite or"
            + " json, was " + format);
      }
      if (format.equals("sqlite")) {
        Path database = dir.resolve(OpenClawSqlite.DATABASE);
        if (Files.exists(database) && !force) {
          throw new PairgateException(ErrorCode.INVALID_ARGUMENT, database + " exists; repeat"
              + " with --force to replace OpenClaw's state (stop OpenClaw and keep a copy first)");
        }
        try (StoreHandle h = cli.openForReading()) {
          OpenClawFiles.Snapshot snap = OpenClawFiles.snapshot(h.store());
          OpenClawSqlite.write(snap, database, force);
          for (String n : snap.notExported()) {
            cli.out.println("not exported: " + n);
          }
          cli.out.println("Wrote " + snap.paired().size() + " paired device(s) and "
              + snap.pending().size() + " pending request(s) to " + database + " (OpenClaw"
              + " 2026.9 layout).");
          printTokenNote();
          return Main.OK;
        }
      }
      Path devices = dir.getFileName() != null && dir.getFileName().toString().equals("devices")
          ? dir : dir.resolve("devices");
      if (!force) {
        for (String f : new String[] {OpenClawFiles.PAIRED_FILE, OpenClawFiles.PENDING_FILE}) {
          if (Files.exists(devices.resolve(f), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new PairgateException(ErrorCode.INVALID_ARGUMENT, devices.resolve(f)
                + " exists; nothing was written (pass --force to overwrite it, e.g. after a"
                + " backup)");
          }
        }
      }
      try (StoreHandle h = cli.openForReading()) {
        Files.createDirectories(devices);
        OpenClawFiles.ExportReport r = OpenClawFiles.exportFrom(h.store(), devices);
        for (String n : r.notExported()) {
          cli.out.println("not exported: " + Out.safe(n));
        }
        cli.out.println("Wrote " + r.pairedCount() + " paired device(s) to " + r.pairedFile()
            + " and " + r.pendingCount() + " pending request(s) to " + r.pendingFile() + ".");
        printTokenNote();
        return Main.OK;
      }
    }

    private void printTokenNote() {
      cli.out.println("Tokens are not exported (Pairgate keeps them hashed). A paired client that"
          + " OpenClaw approves silently (a local CLI) gets a new device token at its next"
          + " shared-token connect; other clients get a role-upgrade request to approve once;"
          + " a connect with an old device token alone is refused and must fall back to the"
          + " shared token.");
    }
  }
}
