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
      description = "Import OpenClaw's devices/paired.json and pending.json into the store"
          + " (devices the store already holds are skipped, never overwritten).")
  static final class Import implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "<dir>",
        description = "OpenClaw's state directory (e.g. ~/.openclaw), or its devices/ directory.")
    Path dir;

    Import(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      Path devices = devicesDir(dir);
      if (!Files.isRegularFile(devices.resolve(OpenClawFiles.PAIRED_FILE))
          && !Files.isRegularFile(devices.resolve(OpenClawFiles.PENDING_FILE))) {
        throw new PairgateException(ErrorCode.INVALID_ARGUMENT, "no " + OpenClawFiles.PAIRED_FILE
            + " or " + OpenClawFiles.PENDING_FILE + " in " + devices);
      }
      // A dry run into memory first: files that cannot be imported fail here, before a store is
      // created or touched, so a failed import leaves no half-created store behind.
      try {
        OpenClawFiles.importInto(new io.pairgate.InMemoryPairingStore(), devices);
      } catch (StoreCorruptException e) {
        throw new PairgateException(ErrorCode.STORE_CORRUPT, "cannot import "
            + e.getMessage() + "; nothing was imported and no store was created", e);
      }
      try (StoreHandle h = cli.openOrCreate("store import-openclaw")) {
        cli.progress("Importing " + devices + " into " + h.description() + " …");
        OpenClawFiles.ImportReport r;
        try {
          r = OpenClawFiles.importInto(h.store(), devices);
        } catch (StoreCorruptException e) {
          if (!Path.of(e.location()).toAbsolutePath().startsWith(devices.toAbsolutePath())) {
            throw e;
          }
          throw new PairgateException(ErrorCode.STORE_CORRUPT, "cannot import "
              + e.getMessage() + "; nothing was imported", e);
        }
        for (String w : r.warnings()) {
          cli.out.println("adjusted: " + Out.safe(w));
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
          cli.out.println("Imported devices have approvedVia = import; review them with 'pairgate"
              + " devices list' (e.g. 'pairgate devices explain " + first + "').");
        }
        return r.skipped().isEmpty() ? Main.OK : Main.FAILED;
      }
    }
  }

  @Command(name = "export-openclaw",
      description = "Write the store as OpenClaw's devices/paired.json and pending.json.")
  static final class Export implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "<dir>",
        description = "Target OpenClaw state directory; the files go into its devices/ directory.")
    Path dir;

    @Option(names = "--force",
        description = "Overwrite existing paired.json and pending.json (default: refuse).")
    boolean force;

    Export(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() throws Exception {
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
        return Main.OK;
      }
    }
  }
}
