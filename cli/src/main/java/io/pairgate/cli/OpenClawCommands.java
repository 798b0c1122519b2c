package io.pairgate.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code store import-openclaw} and {@code store export-openclaw}. */
final class OpenClawCommands {
  private OpenClawCommands() {}

  @Command(name = "import-openclaw",
      description = "Import OpenClaw's devices/paired.json and pending.json into the store.")
  static final class Import implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "<dir>", description = "OpenClaw's state directory (holding devices/).")
    Path dir;

    Import(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      throw new Errors.UsageException("import-openclaw: pending the store-json OpenClaw API");
    }
  }

  @Command(name = "export-openclaw",
      description = "Write the store as OpenClaw's devices/paired.json and pending.json.")
  static final class Export implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "<dir>", description = "Target OpenClaw state directory.")
    Path dir;

    Export(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      throw new Errors.UsageException("export-openclaw: pending the store-json OpenClaw API");
    }
  }
}
