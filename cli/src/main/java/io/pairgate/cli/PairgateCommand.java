package io.pairgate.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The root command: global options and the list of subcommands. */
@Command(
    name = "pairgate",
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT, // every subcommand answers --help (and --version)
    version = "pairgate 0.1.0-SNAPSHOT",
    description = "Operate a Pairgate store: approve devices, rotate tokens, check the store, run the"
        + " demo, scenario vectors and simulations.",
    subcommands = {
        DevicesCommand.class,
        StoreCommand.class,
        ScenarioCommand.class,
        SimulateCommand.class,
        DemoCommand.class,
        DoctorCommand.class,
        GatewayCommand.class,
        HelpCmd.class
    })
final class PairgateCommand implements Runnable {
  private final Cli cli;
  @Spec CommandSpec spec;

  PairgateCommand(Cli cli) {
    this.cli = cli;
  }

  @Option(names = "--store", paramLabel = "DIR", scope = ScopeType.INHERIT,
      description = "The store-json directory (default: $PAIRGATE_HOME, else ~/.pairgate).")
  void store(Path dir) {
    cli.storeDir = dir;
  }

  @Option(names = "--jdbc", paramLabel = "URL", scope = ScopeType.INHERIT,
      description = "A JDBC store instead, e.g. jdbc:sqlite:/var/lib/pairgate/pairgate.db.")
  void jdbc(String url) {
    cli.jdbcUrl = url;
  }

  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "Print stack traces with errors, and the library's log (INFO and above).")
  void verbose(boolean v) {
    cli.verbose = v;
  }

  @Option(names = "--read-only", scope = ScopeType.INHERIT,
      description = "Open the store without writing or locking anything; commands that change"
          + " the store refuse to run. (Listing, explain, check and export always open it so.)")
  void readOnly(boolean v) {
    cli.readOnly = v;
  }

  @Override
  public void run() {
    spec.commandLine().usage(cli.out);
  }
}
